package io.kdstream.app.lab;

import io.kdstream.app.Demo;
import io.kdstream.app.DemoCommand;
import io.kdstream.core.Progress;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Preset;
import io.kdstream.core.config.Settings;
import io.kdstream.loader.dataset.DatasetException;
import io.kdstream.student.EvalResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code kdstream experiment NAME}: runs the arms of a named comparison one after another, each a full
 * {@code kdstream demo} run (embedded broker, loader, augmenter, teacher service when distilling, student trainer)
 * with the same student, data and epoch budget and its own overrides, for one or more seeds; then writes
 * {@code results.md} (a Markdown table: top-1 mean and range over seeds, agreement with the teacher, wall time, the
 * exact command of each arm), {@code accuracy.csv} (test top-1 per epoch) and {@code accuracy.png} (an XChart plot of
 * test top-1 per epoch, one line per arm). Arms whose stream is the same (the same augmentation, views, teacher,
 * data, seed and schedule: {@link #streamKey}) share it: the first records it and the others train on the recording
 * alone ({@code experiment.share-streams}, docs/REPLAY.md).
 */
public final class Experiment {
    /** One arm: a name, the settings that make it, and what it shows. */
    record Arm(String name, Map<String, String> overrides, String note) {
    }

    /** The named experiments. */
    static final Map<String, List<Arm>> EXPERIMENTS = new LinkedHashMap<>();

    static {
        Arm supervised = new Arm("supervised student", Map.of("preset", "supervised"), "labels only, same student");
        Arm consistent = new Arm("KD consistent + mixup", Map.of("augment.teacher-view", "consistent"),
                "the teacher labels exactly the student's mixed crop");
        Arm independent = new Arm("KD independent", Map.of("augment.teacher-view", "independent"),
                "the teacher labels another crop of the same images");
        Arm fixed = new Arm("KD fixed", Map.of("augment.teacher-view", "fixed"),
                "the teacher's prediction on the whole image, computed once, mixed");
        Arm usi = new Arm("USI", Map.of("preset", "usi"), "KD 5 + CE 1, mixup/cutmix switch");
        Arm funmatch = new Arm("FunMatch", Map.of("preset", "funmatch"), "KD only, clip 1.0");
        EXPERIMENTS.put("consistency", List.of(supervised, consistent, independent, fixed));
        EXPERIMENTS.put("recipes", List.of(supervised, consistent, usi, funmatch));
        EXPERIMENTS.put("dlb", List.of(new Arm("supervised, no mixing", Map.of("preset", "supervised",
                "augment.mix", "none"), "DLB's baseline: the same student on labels, no mixing"),
                new Arm("DLB", Map.of("preset", "dlb"), "no teacher; KD to its own predictions of the last batch")));
        EXPERIMENTS.put("results", List.of(supervised, consistent, independent, fixed, usi, funmatch,
                new Arm("KD consistent, 2x epochs", Map.of("augment.teacher-view", "consistent",
                        "experiment.epoch-factor", "2"), "the consistent arm with a longer schedule")));
        // two students on one stream: the second trains on the first's recording (experiment.share-streams)
        EXPERIMENTS.put("sizes", List.of(
                new Arm("KD consistent, student w16", Map.of("student.width", "16"),
                        "24k parameters, 12 times smaller than the strong teacher"),
                new Arm("KD consistent, student w8", Map.of("student.width", "8"),
                        "the demo's student (6.4k parameters), on the same stream")));
        // KD against labels alone with the label baseline's learning rate tuned: the label arms share one stream (the
        // learning rate is not part of it), so all but the first replay its recording; so do the KD arms after the first
        EXPERIMENTS.put("kd-vs-labels", List.of(labelsAt("2e-3"), labelsAt("4e-3"), labelsAt("8e-3"),
                labelsAt("1.6e-2"), labelsAt("3.2e-2"),
                new Arm("KD consistent, no mixing", Map.of("augment.mix", "none"),
                        "CE 1 + KD 5, T 1, lr 4e-3; the teacher labels exactly the student's crop"),
                new Arm("KD consistent, no mixing, lr 8e-3", Map.of("augment.mix", "none", "student.lr", "8e-3"),
                        "the KD arm at twice its learning rate, on the KD arm's recording"),
                new Arm("KD consistent, no mixing, lr 1.6e-2", Map.of("augment.mix", "none", "student.lr", "1.6e-2"),
                        "the KD arm at four times its learning rate, on the KD arm's recording"),
                new Arm("KD consistent, no mixing, lr 3.2e-2", Map.of("augment.mix", "none", "student.lr", "3.2e-2"),
                        "the KD arm at eight times its learning rate, the label arms' largest")));
        // the baselines that take the learning rate and the mixing out of the comparison (docs/RESULTS.md)
        EXPERIMENTS.put("baselines", List.of(
                new Arm("supervised student, lr 4e-3", Map.of("preset", "supervised", "student.lr", "4e-3"),
                        "the supervised arm at the KD arms' learning rate"),
                new Arm("supervised, no mixing, 2x epochs, lr 4e-3", Map.of("preset", "supervised", "augment.mix",
                        "none", "student.lr", "4e-3", "experiment.epoch-factor", "2"), "labels only, no mixing"),
                new Arm("KD consistent, no mixing, 2x epochs", Map.of("augment.mix", "none",
                        "experiment.epoch-factor", "2"), "CE 1 + KD 5 as the consistent arm, without mixing")));
    }

    /** The arms {@code experiment.arms} names by number (1-based, in the experiment's order), or all when empty. */
    static List<Arm> pick(List<Arm> arms, List<String> numbers, String name) {
        if (numbers.isEmpty()) {
            return arms;
        }
        StringBuilder known = new StringBuilder();
        for (int i = 0; i < arms.size(); i++) {
            known.append(i == 0 ? "" : "; ").append(i + 1).append(" = ").append(arms.get(i).name());
        }
        java.util.TreeSet<Integer> chosen = new java.util.TreeSet<>();
        for (String n : numbers) {
            int i;
            try {
                i = Integer.parseInt(n.trim());
            } catch (NumberFormatException e) {
                i = -1;
            }
            ConfigException.require(i >= 1 && i <= arms.size(), "experiment.arms", String.join(",", numbers),
                    "must list arm numbers of " + name + ": " + known);
            chosen.add(i);
        }
        return chosen.stream().map(i -> arms.get(i - 1)).toList();
    }

    /** kd-vs-labels' label arm at one learning rate: labels only, no mixing. */
    private static Arm labelsAt(String lr) {
        return new Arm("labels, lr " + lr, Map.of("preset", "supervised", "augment.mix", "none", "student.lr", lr),
                "labels only, no mixing");
    }

    /**
     * One run of one arm with one seed.
     *
     * @param stream how it got its stream: {@code live}, {@code recorded} (live, and recorded for the arms after it)
     *               or {@code replayed}
     */
    record Run(Arm arm, long seed, Demo.Result result, String command, String stream, String failure) {
        /** A run that finished. */
        Run(Arm arm, long seed, Demo.Result result, String command, String stream) {
            this(arm, seed, result, command, stream, null);
        }

        /** Whether the run stopped before its end ({@code failure} says why; there is no result). */
        boolean failed() {
            return failure != null;
        }
    }

    /** The settings that make a run's stream: the arms that agree on all of them can share one recording. */
    private static final List<String> STREAM_PREFIXES = List.of("augment.", "view.", "teacher.", "dataset.",
            "loader.", "pipeline.", "kafka.partitions", "student.mode");

    private Experiment() {
    }

    public static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings raw;
        String name;
        List<Arm> arms;
        int epochs;
        List<Long> seeds;
        Path dir;
        boolean smoke;
        boolean share;
        try {
            raw = Settings.parse(args, env, positional);
            if (positional.size() != 1 || !EXPERIMENTS.containsKey(positional.get(0))) {
                throw new ConfigException("experiment needs one name: " + EXPERIMENTS.keySet() + " (got "
                        + positional + ")");
            }
            name = positional.get(0);
            arms = pick(EXPERIMENTS.get(name), raw.list(Keys.EXPERIMENT_ARMS), name);
            smoke = raw.bool(Keys.SMOKE);
            epochs = raw.integer(Keys.PIPELINE_EPOCHS, smoke ? 2 : 3);
            int n = raw.integer(Keys.EXPERIMENT_SEEDS);
            ConfigException.require(n >= 1 && n <= 10, "experiment.seeds", n, "must be 1..10");
            long first = raw.longValue(Keys.PIPELINE_SEED);
            seeds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                seeds.add(first + i);
            }
            dir = raw.path(Keys.EXPERIMENT_DIR).orElse(Demo.runDir("experiment-" + name));
            share = raw.bool(Keys.EXPERIMENT_SHARE_STREAMS);
            if (raw.has(Keys.PRESET)) {
                throw new ConfigException("setting preset cannot be given to an experiment: each arm sets its own");
            }
        } catch (ConfigException e) {
            System.err.println("kdstream experiment: " + e.getMessage());
            return 2;
        }
        Map<String, Path> recordings = new LinkedHashMap<>();
        Scheduler ticker = Schedulers.newSingle("kds-progress", true);
        try {
            Files.createDirectories(dir);
            List<Run> runs = new ArrayList<>();
            int total = arms.size() * seeds.size();
            for (Arm arm : arms) {
                for (long seed : seeds) {
                    System.out.printf(Locale.ROOT, "experiment %s: run %d/%d: %s, seed %d%n", name, runs.size() + 1,
                            total, arm.name(), seed);
                    Run run = runArm(raw, arm, seed, epochs, smoke, dir, ticker, share ? recordings : null);
                    if (run.failed()) {
                        System.err.printf(Locale.ROOT, "experiment %s: run %d/%d (%s, seed %d) failed: %s; going on "
                                + "with the others%n", name, runs.size() + 1, total, arm.name(), seed, run.failure());
                    }
                    runs.add(run);
                }
            }
            List<Run> finished = runs.stream().filter(r -> !r.failed()).toList();
            String failures = failures(runs);
            if (finished.isEmpty()) {
                System.err.print("kdstream experiment: no run finished\n" + failures);
                return 1;
            }
            String table = table(name, finished, epochs, smoke) + failures;
            Files.writeString(dir.resolve("results.md"), table);
            Files.writeString(dir.resolve("accuracy.csv"), csv(finished));
            plot(name, finished, dir.resolve("accuracy.png"));
            System.out.println();
            System.out.print(table);
            System.out.println("written: " + dir.resolve("results.md") + ", " + dir.resolve("accuracy.png") + ", "
                    + dir.resolve("accuracy.csv"));
            return finished.size() == runs.size() ? 0 : 1;
        } catch (ConfigException | DatasetException e) {
            System.err.println("kdstream experiment: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("kdstream experiment: cannot write to " + dir + ": " + e.getMessage());
            return 1;
        } finally {
            ticker.dispose();
        }
    }

    /**
     * Runs one arm with one seed.
     *
     * @param recordings the recordings made so far by stream, shared by the arms (null: every arm runs live)
     */
    private static Run runArm(Settings raw, Arm arm, long seed, int epochs, boolean smoke, Path dir,
                              Scheduler ticker, Map<String, Path> recordings) {
        Map<String, String> o = new LinkedHashMap<>(arm.overrides());
        int factor = Integer.parseInt(o.getOrDefault("experiment.epoch-factor", "1"));
        o.remove("experiment.epoch-factor");
        String preset = o.remove("preset");
        // a preset's own values stay below the arm's other overrides (flags), as on the command line
        String slug = arm.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + "-s" + seed;
        o.put("pipeline.epochs", Integer.toString(epochs * factor));
        o.put("pipeline.seed", Long.toString(seed));
        if (smoke) { // the smoke size distils from the shipped teacher instead of training one per arm
            o.put("teacher.model", raw.string(Keys.TEACHER_MODEL, Demo.SHIPPED_TEACHER.toString()));
        }
        Map<String, String> shown = new LinkedHashMap<>(o);
        o.put("student.out", dir.resolve(slug).resolve("student").toString());
        Settings s = raw.overriding(o); // keeps what the user set for every arm (dataset, student, ...)
        if (preset != null) {
            s = s.withPreset(Preset.byName(preset).settings());
        }
        if (smoke) {
            s = s.withDefaults(Demo.smokeDefaults(DemoCommand.testdata(), dir.resolve(slug)));
        }
        s = s.withDefaults(Demo.DEFAULTS);
        String stream = "live";
        if (recordings != null) {
            String key = streamKey(s);
            Path recorded = recordings.get(key);
            if (recorded == null) {
                recorded = dir.resolve(slug).resolve("stream.kdr");
                recordings.put(key, recorded);
                s = s.overriding(Map.of("student.record", recorded.toString()));
                shown.put("student.record", recorded.toString());
                stream = "recorded";
            } else {
                s = s.overriding(Map.of("student.replay", recorded.toString()));
                shown.put("student.replay", recorded.toString());
                stream = "replayed";
            }
        }
        StringBuilder cmd = new StringBuilder("./kdstream demo");
        if (smoke) {
            cmd.append(" --smoke");
        }
        if (preset != null) {
            cmd.append(" --preset=").append(preset);
        }
        shown.forEach((k, v) -> cmd.append(" --").append(k).append('=').append(k.equals("teacher.model")
                ? Path.of(System.getProperty("kdstream.home", ".")).toAbsolutePath().normalize()
                        .relativize(Path.of(v).toAbsolutePath().normalize()) : v));
        Demo.Result r;
        try {
            r = new Demo(s, System.out, ticker, SimpleMeterRegistry::new).run(false);
        } catch (ConfigException | DatasetException e) {
            throw e; // the settings or the data: every arm would fail the same way
        } catch (RuntimeException e) { // this run failed (a diverged student, a crash): the others still run
            if (stream.equals("recorded")) { // an unfinished recording: the next arm of the stream records it anew
                recordings.values().remove(dir.resolve(slug).resolve("stream.kdr"));
            }
            return new Run(arm, seed, null, cmd.toString(), stream, e.getMessage() == null ? e.toString()
                    : e.getMessage());
        }
        return new Run(arm, seed, r, cmd.toString(), stream);
    }

    /** The failed runs, for the end of the results: empty when none failed. */
    static String failures(List<Run> runs) {
        StringBuilder b = new StringBuilder();
        for (Run r : runs) {
            if (r.failed()) {
                b.append(b.length() == 0 ? String.format(Locale.ROOT, "%nRuns that did not finish (not in the table, "
                        + "the CSV or the plot):%n%n") : "");
                b.append(String.format(Locale.ROOT, "- %s, seed %d: %s (`%s`)%n", r.arm().name(), r.seed(),
                        r.failure(), r.command()));
            }
        }
        return b.toString();
    }

    /** The values of every setting that makes the stream (the catalogue's keys under {@link #STREAM_PREFIXES}). */
    static String streamKey(Settings s) {
        StringBuilder b = new StringBuilder();
        for (io.kdstream.core.config.Key k : io.kdstream.core.config.Catalogue.all()) {
            if (STREAM_PREFIXES.stream().anyMatch(p -> k.name().startsWith(p))) {
                b.append(k.name()).append('=').append(s.raw(k).orElse("")).append('\n');
            }
        }
        return b.toString();
    }

    /** The Markdown table: one row per arm (mean and range over seeds), then the teacher alone. */
    static String table(String name, List<Run> runs, int epochs, boolean smoke) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Experiment `%s`: %d epoch(s) per arm (unless the arm says otherwise)%s;"
                + " student %s; teacher %s.%n%n", name, epochs, smoke ? ", smoke size" : "",
                runs.get(0).result().student(), runs.get(0).result().teacher()));
        b.append("| arm | student top-1 | agreement with teacher | seeds | wall per run | stream | what it is | command "
                + "|\n");
        b.append("|---|---:|---:|---:|---:|---|---|---|\n");
        Map<Arm, List<Run>> byArm = runs.stream().collect(Collectors.groupingBy(Run::arm, LinkedHashMap::new,
                Collectors.toList()));
        byArm.forEach((arm, rs) -> {
            double mean = rs.stream().mapToDouble(r -> r.result().studentTop1()).average().orElse(Double.NaN);
            double min = rs.stream().mapToDouble(r -> r.result().studentTop1()).min().orElse(Double.NaN);
            double max = rs.stream().mapToDouble(r -> r.result().studentTop1()).max().orElse(Double.NaN);
            double agree = rs.stream().mapToDouble(r -> r.result().agreement()).average().orElse(Double.NaN);
            long wall = (long) rs.stream().mapToLong(r -> r.result().wall().toSeconds()).average().orElse(0);
            String top1 = rs.size() > 1 ? String.format(Locale.ROOT, "%.2f%% (%.2f..%.2f)", 100 * mean, 100 * min,
                    100 * max) : String.format(Locale.ROOT, "%.2f%%", 100 * mean);
            String streams = rs.stream().map(Run::stream).distinct().collect(Collectors.joining(", "));
            b.append(String.format(Locale.ROOT, "| %s | %s | %.2f%% | %d | %s | %s | %s | `%s` |%n", arm.name(), top1,
                    100 * agree, rs.size(), Progress.clock(wall), streams, arm.note(), rs.get(0).command()));
        });
        b.append(String.format(Locale.ROOT, "| teacher alone | %.2f%% | 100%% | - | - | - | %s | - |%n",
                100 * runs.get(0).result().teacherTop1(), runs.get(0).result().teacher()));
        return b.toString();
    }

    /** Test top-1 per epoch, one line per run. */
    static String csv(List<Run> runs) {
        StringBuilder b = new StringBuilder("arm,seed,epoch,student_top1,agreement\n");
        for (Run r : runs) {
            for (EvalResult e : r.result().history()) {
                b.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f%n", csvField(r.arm().name()), r.seed(),
                        e.epoch(), e.studentTop1(), e.agreement()));
            }
        }
        return b.toString();
    }

    /** A CSV field, quoted when it holds a comma or a quote (arm names such as "labels, lr 2e-3"). */
    static String csvField(String v) {
        return v.contains(",") || v.contains("\"") ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }

    /** The plot: mean test top-1 per epoch over seeds, one line per arm, and the teacher as a flat line. */
    static void plot(String name, List<Run> runs, Path png) {
        XYChart chart = new XYChartBuilder().width(900).height(560).title("kdstream experiment " + name
                + ": test top-1 per epoch").xAxisTitle("epoch").yAxisTitle("test top-1 (%)").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        Map<Arm, List<Run>> byArm = runs.stream().collect(Collectors.groupingBy(Run::arm, LinkedHashMap::new,
                Collectors.toList()));
        int maxEpoch = 1;
        for (Map.Entry<Arm, List<Run>> e : byArm.entrySet()) {
            int epochs = e.getValue().stream().mapToInt(r -> r.result().history().size()).min().orElse(0);
            if (epochs == 0) {
                continue;
            }
            double[] x = new double[epochs];
            double[] y = new double[epochs];
            for (int i = 0; i < epochs; i++) {
                final int idx = i;
                x[i] = e.getValue().get(0).result().history().get(i).epoch();
                y[i] = 100 * e.getValue().stream().mapToDouble(r -> r.result().history().get(idx).studentTop1())
                        .average().orElse(Double.NaN);
            }
            maxEpoch = Math.max(maxEpoch, (int) x[epochs - 1]);
            chart.addSeries(e.getKey().name(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        double teacher = 100 * runs.get(0).result().teacherTop1();
        chart.addSeries("teacher alone", new double[] {1, maxEpoch}, new double[] {teacher, teacher})
                .setMarker(SeriesMarkers.NONE);
        try {
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}
