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
            if (!positional.isEmpty()) {
                throw new ConfigException("unexpected argument(s) " + positional + "; settings are --key=value");
            }
            s.requireAllUsed();
        } catch (ConfigException | DatasetException e) {
            System.err.println("kdstream faults: " + e.getMessage());
            return 2;
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
                case BAD_MODEL -> badModel(sdir, t0);
                case BAD_SETTING -> badSetting(sdir, t0);
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
        int brokerPort = Probes.freePort();
        Path brokerData = sdir.resolve("broker-data");
        Map<String, ChildProcess> kids = new LinkedHashMap<>();
        String bootstrap = "127.0.0.1:" + brokerPort;
        long total = totalBatches();
        String injected = "-";
        String recovery = "-";
        int restartedPort = -1;
        long interval = Math.max(2, total / settings.integer(Keys.PIPELINE_EPOCHS) / 4);
        Map<String, String> studentExtra = scenario == Scenario.STUDENT_SIGKILL_MID_EPOCH
                ? Map.of("student.checkpoint-every-steps", Long.toString(interval)) : Map.of();
        try {
            kids.put("broker", broker(sdir, brokerPort, brokerData));
            Probes.awaitPort(brokerPort, Duration.ofMinutes(1));
            int studentPort = Probes.freePort();
            kids.put("student", service(sdir, "student", "student", bootstrap, studentPort, studentExtra));
            kids.put("teacher-1", service(sdir, "teacher", "teacher-1", bootstrap, Probes.freePort(), Map.of()));
            if (scenario == Scenario.TEACHER_SIGKILL) {
                kids.put("teacher-2", service(sdir, "teacher", "teacher-2", bootstrap, Probes.freePort(), Map.of()));
            }
            probes.awaitMetrics(studentPort);
            kids.put("augmenter", service(sdir, "augmenter", "augmenter", bootstrap, Probes.freePort(), Map.of()));
            kids.put("loader", service(sdir, "loader", "loader", bootstrap, Probes.freePort(), Map.of()));

            if (scenario != Scenario.NONE) {
                Probes.await(() -> probes.studentBatches(studentPort) >= 0.4 * total || !kids.get("student").alive(),
                        RUN_LIMIT, "the student to train 40% of the batches");
                long before = probes.studentBatches(studentPort);
                injected = String.format(Locale.ROOT, "after %d of %d batches", before, total);
                long tf = System.nanoTime();
                switch (scenario) {
                    case STUDENT_SIGKILL, STUDENT_SIGKILL_MID_EPOCH -> {
                        kids.get("student").kill();
                        long atKill = Math.max(before, probes.studentBatches(studentPort));
                        long saved = RunAudit.lastCheckpointStep(sdir.resolve("student-out"));
                        out.println("faults: SIGKILL student at batch " + atKill + " (last checkpoint at step " + saved
                                + "); restarting it");
                        int port2 = Probes.freePort();
                        restartedPort = port2;
                        kids.put("student-2", service(sdir, "student", "student-2", bootstrap, port2, studentExtra));
                        Probes.await(() -> probes.studentBatches(port2) > 0, Duration.ofMinutes(3), "the restarted student");
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
                        kids.get("teacher-2").kill();
                        out.println("faults: SIGKILL teacher-2 at student batch " + before);
                        try (Admin admin = Admin.create(KafkaSettings.local(bootstrap, 2).admin("faults"))) {
                            Probes.await(() -> Probes.oneMemberOwnsAll(admin), Duration.ofMinutes(3),
                                    "the surviving replica to take every partition");
                        }
                        recovery = seconds(tf) + " (partitions reassigned)";
                    }
                    case BROKER_RESTART -> {
                        kids.get("broker").kill();
                        out.println("faults: SIGKILL broker at student batch " + before + "; restarting in 3 s");
                        Thread.sleep(3000);
                        kids.put("broker", broker(sdir, brokerPort, brokerData));
                        ChildProcess student = kids.get("student");
                        Probes.await(() -> probes.studentBatches(studentPort) > before || !student.alive(), Duration.ofMinutes(3),
                                "the student to train again");
                        recovery = seconds(tf) + " (kill to next trained batch, 3 s down)";
                    }
                    default -> throw new IllegalArgumentException(fault);
                }
            }
            ChildProcess student = kids.containsKey("student-2") ? kids.get("student-2") : kids.get("student");
            int port = kids.containsKey("student-2") ? restartedPort : studentPort;
            boolean finished = waitWithProgress(fault, student, port, total);
            int code = finished ? student.process().exitValue() : -1;
            for (String k : List.of("loader", "augmenter", "teacher-1", "teacher-2")) {
                ChildProcess c = kids.get(k);
                if (c != null && c.alive()) {
                    c.process().waitFor(30, TimeUnit.SECONDS);
                }
            }
            RunAudit a = RunAudit.of(bootstrap, sdir.resolve("student-out"));
            String outcome = !finished ? "NOT RECOVERED: student still running after " + RUN_LIMIT.toMinutes() + " min"
                    : code != 0 ? "NOT RECOVERED: student exited " + code + " (see " + sdir.resolve("student.log") + ")"
                    : a.lost() == 0 && a.twice() == 0 ? (scenario == Scenario.NONE ? "ok" : "recovered")
                    : "LOST OR DOUBLED";
            return new Row(fault, injected, a.produced(), a.trained(), a.lost(), a.twice(), a.skipped(), recovery,
                    outcome, a.top1(), Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            kids.values().forEach(ChildProcess::stop);
        }
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

    /** An unloadable teacher model: the teacher service must stop at start-up with a message naming the file. */
    private Row badModel(Path sdir, long t0) throws IOException, InterruptedException {
        Path model = Files.createDirectories(sdir.resolve("models/broken"));
        Path good = settings.path(Keys.TEACHER_MODEL).orElseThrow();
        Files.copy(good.resolve("model.properties"), model.resolve("model.properties"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] params = Files.readAllBytes(good.resolve("model.params"));
        Files.write(model.resolve("model.params"), java.util.Arrays.copyOf(params, params.length / 3)); // truncated
        return failFast("bad-model", "teacher.model = a model whose model.params is truncated", sdir, t0,
                List.of("run", "teacher", "--teacher.model=" + model, "--kafka.bootstrap=127.0.0.1:" + Probes.freePort()),
                model.toString());
    }

    /** A wrong setting: the service must stop at start-up with a message naming the setting. */
    private Row badSetting(Path sdir, long t0) throws IOException, InterruptedException {
        return failFast("bad-setting", "--student.temprature=2 (misspelt flag)", sdir, t0,
                List.of("run", "student", "--dataset.test-limit=10", "--student.temprature=2"), "student.temprature");
    }

    private Row failFast(String fault, String injected, Path sdir, long t0, List<String> args, String mustName)
            throws IOException, InterruptedException {
        Path log = sdir.resolve(fault + ".log");
        long ts = System.nanoTime();
        Process p = ChildProcess.start(sdir, fault, args).process();
        boolean ended = p.waitFor(2, TimeUnit.MINUTES);
        String text = Files.readString(log);
        String outcome;
        if (!ended) {
            p.destroyForcibly();
            outcome = "NOT DETECTED: still running after 2 min";
        } else if (p.exitValue() == 0) {
            outcome = "NOT DETECTED: exit 0";
        } else if (!text.contains(mustName)) {
            outcome = "exit " + p.exitValue() + " but the message does not name " + mustName;
        } else {
            String line = text.lines().filter(l -> l.contains(mustName)).findFirst().orElse("");
            outcome = "failed fast, exit " + p.exitValue() + ": \"" + shorten(line, 110) + "\"";
        }
        return new Row(fault, injected, -1, -1, -1, -1, -1, seconds(ts) + " to exit", outcome, "-",
                Duration.ofNanos(System.nanoTime() - t0));
    }

    private static String shorten(String s, int n) {
        String t = s.replace('|', '/').trim();
        return t.length() <= n ? t : t.substring(0, n) + "...";
    }

    private long totalBatches() {
        DatasetSpec d = DatasetSpec.from(settings);
        return settings.integer(Keys.PIPELINE_EPOCHS) * StudentConfig.batchesPerEpoch(d.open(true).size(),
                settings.integer(Keys.KAFKA_PARTITIONS), settings.integer(Keys.PIPELINE_BATCH_SIZE));
    }


    /** {@code kdstream run <service>} with the suite's settings, its metrics on {@code metricsPort}. */
    private ChildProcess service(Path sdir, String service, String name, String bootstrap, int metricsPort,
                          Map<String, String> extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", service, "--kafka.bootstrap=" + bootstrap,
                "--kafka.partitions=" + settings.integer(Keys.KAFKA_PARTITIONS), "--metrics.port=" + metricsPort,
                "--metrics.host=127.0.0.1", "--metrics.replica=" + name));
        DatasetSpec d = DatasetSpec.from(settings);
        int epochs = settings.integer(Keys.PIPELINE_EPOCHS);
        int batch = settings.integer(Keys.PIPELINE_BATCH_SIZE);
        Path teacher = settings.path(Keys.TEACHER_MODEL).orElseThrow().toAbsolutePath();
        switch (service) {
            case "loader" -> args.addAll(List.of("--dataset.path=" + d.path(), "--dataset.limit=" + d.limit(),
                    "--pipeline.epochs=" + epochs, "--pipeline.batch-size=" + batch));
            case "augmenter" -> args.addAll(List.of("--pipeline.batch-size=" + batch, "--augment.crop-scale-min=0.35",
                    "--augmenter.feeds=kds.teacher"));
            case "teacher" -> args.addAll(List.of("--teacher.model=" + teacher, "--teacher.device=cpu"));
            case "student" -> args.addAll(List.of("--dataset.path=" + d.path(), "--dataset.limit=" + d.limit(),
                    "--dataset.test-limit=" + d.testLimit(), "--pipeline.epochs=" + epochs,
                    "--pipeline.batch-size=" + batch, "--student.out=" + sdir.resolve("student-out"),
                    "--student.eval-teacher=" + teacher, "--student.lr=4e-3", "--student.device=cpu"));
            default -> throw new IllegalArgumentException(service);
        }
        extra.forEach((k, v) -> args.add("--" + k + "=" + v));
        return ChildProcess.start(sdir, name, args);
    }

    private ChildProcess broker(Path sdir, int port, Path data) throws IOException {
        return ChildProcess.start(sdir, "broker", List.of("broker", "--broker.port=" + port, "--broker.data-dir="
                + data));
    }

    private static String seconds(long sinceNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }
}
