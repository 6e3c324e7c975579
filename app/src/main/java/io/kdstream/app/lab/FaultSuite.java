package io.kdstream.app.lab;

import io.kdstream.app.Demo;
import io.kdstream.core.Progress;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.loader.dataset.DatasetException;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.student.StudentConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code kdstream faults}: runs the pipeline as separate processes (a KRaft broker, loader, augmenter, teacher
 * service replicas, student trainer, each its own JVM as in a cluster) and injects one fault per scenario: SIGKILL
 * of the student (it resumes from its checkpoint), SIGKILL of one of two teacher replicas (the other takes its
 * partitions), SIGKILL and restart of the broker, an unloadable teacher model and a wrong setting (both must fail
 * fast at start-up). After each run it audits by batch id: batches produced (read back from the augmented topic),
 * trained (the student's {@code trained-batches.txt}), lost, trained twice (optimizer steps beyond distinct batches),
 * duplicates skipped, and the recovery time. Prints a table and writes it to {@code faults.md} in the run directory.
 */
public final class FaultSuite {
    /** Defaults: 12,800 Fashion-MNIST images (100 batches of 128 per epoch over 2 partitions), 3 epochs. */
    public static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("dataset.limit", "12800"),
            Map.entry("dataset.test-limit", "2000"),
            Map.entry("pipeline.epochs", "3"),
            Map.entry("pipeline.batch-size", "128"),
            Map.entry("kafka.partitions", "2"),
            Map.entry("teacher.model", Demo.SHIPPED_TEACHER.toString()));
    /** The suite's scenarios, in the order they run. */
    enum Scenario {
        /** The pipeline with no fault: the baseline every other row is read against. */
        NONE,
        /** SIGKILL the student at 40% of the batches and start another; it resumes from its checkpoint. */
        STUDENT_SIGKILL,
        /**
         * The student checkpointing every quarter epoch, SIGKILLed at 40% (inside an epoch): the restarted one
         * resumes from the last checkpoint, redoing at most one checkpoint interval.
         */
        STUDENT_SIGKILL_MID_EPOCH,
        /** SIGKILL one of two teacher replicas at 40%; the other takes its partitions. */
        TEACHER_SIGKILL,
        /**
         * A teacher about ten times slower than the augmenter (a stand-in with a fixed time per batch): every topic
         * must stay within the bound of the stage it feeds while the run completes.
         */
        SLOW_TEACHER,
        /** SIGKILL the broker at 40% and restart it on the same log 3 s later. */
        BROKER_RESTART,
        /** A teacher model that does not load: the service must stop at start-up naming it. */
        BAD_MODEL,
        /** A misspelt setting: the service must stop at start-up naming it. */
        BAD_SETTING;

        /** As {@code faults.only} names it: {@code student-sigkill}. */
        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Scenario of(String label) {
            for (Scenario sc : values()) {
                if (sc.label().equals(label)) {
                    return sc;
                }
            }
            throw new ConfigException("setting faults.only=" + label + " is not one of "
                    + java.util.Arrays.stream(values()).map(Scenario::label).toList());
        }
    }
    private static final Duration RUN_LIMIT = Duration.ofMinutes(8);
    /**
     * The slow teacher's time a batch: about twelve times the augmenter's on a batch of 128 Fashion-MNIST images here
     * (10,642 images/s, docs/PERFORMANCE.md).
     */
    static final int SLOW_TEACHER_MS = 150;

    /** One row of the table. */
    record Row(String fault, String injected, long produced, long trained, long lost, long twice, long skipped,
               String recovery, String outcome, String top1, Duration wall) {
    }

    private final Settings settings;
    private final Path dir;
    private final PrintStream out;
    private final Probes probes = new Probes();

    private FaultSuite(Settings settings, Path dir, PrintStream out) {
        this.settings = settings;
        this.dir = dir;
        this.out = out;
    }

    public static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(args, env, positional).withDefaults(DEFAULTS);
        List<Scenario> only = new ArrayList<>();
        Path dir;
        Soak soak;
        try {
            for (String o : s.list(Keys.FAULTS_ONLY, List.of())) {
                only.add(Scenario.of(o));
            }
            if (only.isEmpty()) {
                only.addAll(List.of(Scenario.values()));
            }
            dir = s.path(Keys.FAULTS_DIR).orElse(Demo.runDir("faults"));
            DatasetSpec dataset = DatasetSpec.from(s);
            dataset.open(true);
            s.path(Keys.TEACHER_MODEL).orElseThrow();
            s.integer(Keys.PIPELINE_EPOCHS);
            s.integer(Keys.PIPELINE_BATCH_SIZE);
            s.integer(Keys.KAFKA_PARTITIONS);
            s.integer(Keys.AUGMENTER_MAX_AHEAD_BATCHES);
            s.integer(Keys.TEACHER_MAX_AHEAD_BATCHES);
            soak = s.given(Keys.FAULTS_SOAK) ? new Soak(s, dir, System.out) : null;
            if (soak != null && s.given(Keys.FAULTS_ONLY)) {
                throw new ConfigException("faults.soak and faults.only do not go together: a soak is a run of its "
                        + "own; give one of them");
            }
            if (!positional.isEmpty()) {
                throw new ConfigException("unexpected argument(s) " + positional + "; settings are --key=value");
            }
            s.requireAllUsed();
        } catch (ConfigException | DatasetException e) {
            System.err.println("kdstream faults: " + e.getMessage());
            return 2;
        }
        if (soak != null) {
            try {
                return soak.run();
            } catch (IOException | IllegalStateException e) {
                System.err.println("kdstream faults: " + e.getMessage());
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        FaultSuite suite = new FaultSuite(s, dir, System.out);
        List<Row> rows = new ArrayList<>();
        for (Scenario scenario : only) {
            rows.add(suite.scenario(scenario));
        }
        String table = table(rows);
        System.out.println();
        System.out.print(table);
        try {
            Files.writeString(dir.resolve("faults.md"), table);
        } catch (IOException e) {
            System.err.println("kdstream faults: cannot write " + dir.resolve("faults.md") + ": " + e.getMessage());
        }
        System.out.println("logs and audits in " + dir);
        boolean ok = rows.stream().allMatch(r -> r.outcome().startsWith("recovered") || r.outcome().startsWith("ok")
                || r.outcome().startsWith("failed fast"));
        return ok ? 0 : 1;
    }

    static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| fault | injected | batches produced | trained | lost | trained twice | duplicates skipped "
                + "| recovery | outcome | student top-1 | wall |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.fault(), r.injected(), num(r.produced()), num(r.trained()), num(r.lost()), num(r.twice()),
                    num(r.skipped()), r.recovery(), r.outcome(), r.top1(), Progress.clock(r.wall().toSeconds())));
        }
        return b.toString();
    }

    private static String num(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }

    // ---------------------------------------------------------------------------------------------- scenarios

    private Row scenario(Scenario scenario) {
        String name = scenario.label();
        long t0 = System.nanoTime();
        Path sdir = dir.resolve(name);
        out.println("faults: " + name + " ...");
        try {
            Files.createDirectories(sdir);
            return switch (scenario) {
                case BAD_MODEL -> StartupFaults.badModel(settings.path(Keys.TEACHER_MODEL).orElseThrow(), sdir, t0);
                case BAD_SETTING -> StartupFaults.badSetting(sdir, t0);
                default -> pipeline(scenario, sdir, t0);
            };
        } catch (IllegalStateException e) {
            out.println("faults: " + name + ": " + e.getMessage());
            return new Row(name, "-", -1, -1, -1, -1, -1, "-", "NOT RECOVERED: " + e.getMessage(), "-",
                    Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A full pipeline run with one fault injected once the student has trained 40% of the batches. */
    private Row pipeline(Scenario scenario, Path sdir, long t0) throws IOException, InterruptedException {
        String fault = scenario.label();
        long total = totalBatches();
        String injected = "-";
        String recovery = "-";
        long interval = Math.max(2, total / settings.integer(Keys.PIPELINE_EPOCHS) / 4);
        Map<String, String> studentExtra = scenario == Scenario.STUDENT_SIGKILL_MID_EPOCH
                ? Map.of("student.checkpoint-every-steps", Long.toString(interval)) : Map.of();
        Map<String, String> teacherExtra = new LinkedHashMap<>(Map.of("teacher.max-ahead-batches",
                Integer.toString(settings.integer(Keys.TEACHER_MAX_AHEAD_BATCHES))));
        if (scenario == Scenario.SLOW_TEACHER) {
            teacherExtra.put("teacher.model", slowTeacher(sdir).toString());
        }
        Map<String, String> augmenterExtra = Map.of("augmenter.max-ahead-batches",
                Integer.toString(settings.integer(Keys.AUGMENTER_MAX_AHEAD_BATCHES)));
        try (ProcessCluster c = new ProcessCluster(settings, sdir)) {
            c.startBroker();
            c.start("student", "student", studentExtra);
            c.start("teacher", "teacher-1", teacherExtra);
            if (scenario == Scenario.TEACHER_SIGKILL) {
                c.start("teacher", "teacher-2", teacherExtra);
            }
            probes.awaitMetrics(c.port("student"));
            c.start("augmenter", "augmenter", augmenterExtra);
            c.start("loader", "loader", Map.of());
            int studentPort = c.port("student");
            LagWatch lags = null;
            if (scenario == Scenario.SLOW_TEACHER) {
                lags = LagWatch.start(c.bootstrap(), settings.integer(Keys.KAFKA_PARTITIONS));
                injected = "teacher.model = a stand-in taking " + SLOW_TEACHER_MS + " ms a batch";
            } else if (scenario != Scenario.NONE) {
                Probes.await(() -> probes.studentBatches(studentPort) >= 0.4 * total || !c.get("student").alive(),
                        RUN_LIMIT, "the student to train 40% of the batches");
                long before = probes.studentBatches(studentPort);
                injected = String.format(Locale.ROOT, "after %d of %d batches", before, total);
                long tf = System.nanoTime();
                switch (scenario) {
                    case STUDENT_SIGKILL, STUDENT_SIGKILL_MID_EPOCH -> {
                        c.get("student").kill();
                        long atKill = Math.max(before, probes.studentBatches(studentPort));
                        long saved = RunAudit.lastCheckpointStep(c.studentOut());
                        out.println("faults: SIGKILL student at batch " + atKill + " (last checkpoint at step " + saved
                                + "); restarting it");
                        c.start("student", "student-2", studentExtra);
                        int port2 = c.port("student-2");
                        Probes.await(() -> probes.studentBatches(port2) > 0, Duration.ofMinutes(3),
                                "the restarted student");
                        recovery = seconds(tf) + " (restart + resume to first new step)";
                        if (scenario == Scenario.STUDENT_SIGKILL_MID_EPOCH) {
                            injected += String.format(Locale.ROOT, ", checkpoint every %d steps, last at %d", interval,
                                    saved);
                            recovery += String.format(Locale.ROOT, "; batches trained again: at most %d of %d "
                                    + "allowed", atKill - saved, interval);
                            if (atKill - saved > interval + 1) { // +1: a step may finish between probe and kill
                                throw new IllegalStateException("the student lost " + (atKill - saved) + " batches of "
                                        + "work, more than one checkpoint interval (" + interval + ")");
                            }
                        }
                    }
                    case TEACHER_SIGKILL -> {
                        c.get("teacher-2").kill();
                        out.println("faults: SIGKILL teacher-2 at student batch " + before);
                        try (Admin admin = Admin.create(KafkaSettings.local(c.bootstrap(), 2).admin("faults"))) {
                            Probes.await(() -> Probes.oneMemberOwnsAll(admin), Duration.ofMinutes(3),
                                    "the surviving replica to take every partition");
                        }
                        recovery = seconds(tf) + " (partitions reassigned)";
                    }
                    case BROKER_RESTART -> {
                        c.get("broker").kill();
                        out.println("faults: SIGKILL broker at student batch " + before + "; restarting in 3 s");
                        Thread.sleep(3000);
                        c.startBroker();
                        ChildProcess student = c.get("student");
                        Probes.await(() -> probes.studentBatches(studentPort) > before || !student.alive(),
                                Duration.ofMinutes(3), "the student to train again");
                        recovery = seconds(tf) + " (kill to next trained batch, 3 s down)";
                    }
                    default -> throw new IllegalArgumentException(fault);
                }
            }
            String last = c.has("student-2") ? "student-2" : "student";
            ChildProcess student = c.get(last);
            boolean finished = waitWithProgress(fault, student, c.port(last), total);
            int code = finished ? student.process().exitValue() : -1;
            for (String k : List.of("loader", "augmenter", "teacher-1", "teacher-2")) {
                ChildProcess kid = c.get(k);
                if (kid != null && kid.alive()) {
                    kid.process().waitFor(30, TimeUnit.SECONDS);
                }
            }
            String bounded = "";
            if (lags != null) {
                lags.close();
                recovery = lags.describe(settings.integer(Keys.AUGMENTER_MAX_AHEAD_BATCHES),
                        settings.integer(Keys.TEACHER_MAX_AHEAD_BATCHES));
                bounded = lags.within(settings.integer(Keys.AUGMENTER_MAX_AHEAD_BATCHES),
                        settings.integer(Keys.TEACHER_MAX_AHEAD_BATCHES)) ? "" : "LAG ABOVE ITS BOUND; ";
            }
            RunAudit a = RunAudit.of(c.bootstrap(), c.studentOut());
            String outcome = !finished ? "NOT RECOVERED: student still running after " + RUN_LIMIT.toMinutes() + " min"
                    : code != 0 ? "NOT RECOVERED: student exited " + code + " (see " + sdir.resolve(last + ".log") + ")"
                    : a.lost() != 0 || a.twice() != 0 ? "LOST OR DOUBLED"
                    : !bounded.isEmpty() ? bounded.substring(0, bounded.length() - 2)
                    : scenario == Scenario.NONE ? "ok" : scenario == Scenario.SLOW_TEACHER ? "bounded" : "recovered";
            return new Row(fault, injected, a.produced(), a.trained(), a.lost(), a.twice(), a.skipped(), recovery,
                    outcome, scenario == Scenario.SLOW_TEACHER ? "- (stand-in logits)" : a.top1(),
                    Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /** A stand-in teacher {@value #SLOW_TEACHER_MS} ms a batch, about ten times the augmenter's time a batch here. */
    private Path slowTeacher(Path sdir) throws IOException {
        Path model = sdir.resolve("models/slow");
        io.kdstream.teacher.StandInTeacher.write(model, SLOW_TEACHER_MS, DatasetSpec.from(settings).open(true)
                .numClasses());
        return model.toAbsolutePath();
    }

    /** Waits for the student to exit, printing a status line every 5 s; false on {@link #RUN_LIMIT}. */
    private boolean waitWithProgress(String fault, ChildProcess student, int port, long total) throws InterruptedException {
        long start = System.nanoTime();
        while (!student.process().waitFor(5, TimeUnit.SECONDS)) {
            long done = probes.studentBatches(port);
            double elapsed = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "faults: %s: student %d/%d batches this process, %.0f s%n", fault, Math.max(0, done),
                    total, elapsed);
            if (elapsed > RUN_LIMIT.toSeconds()) {
                return false;
            }
        }
        return true;
    }

    private long totalBatches() {
        DatasetSpec d = DatasetSpec.from(settings);
        return settings.integer(Keys.PIPELINE_EPOCHS) * StudentConfig.batchesPerEpoch(d.open(true).size(),
                settings.integer(Keys.KAFKA_PARTITIONS), settings.integer(Keys.PIPELINE_BATCH_SIZE));
    }


    private static String seconds(long sinceNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }
}
