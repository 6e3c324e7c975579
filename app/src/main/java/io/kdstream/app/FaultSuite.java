package io.kdstream.app;

import io.kdstream.core.Progress;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.DataKeys;
import io.kdstream.core.config.ServiceKeys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.config.ToolKeys;
import io.kdstream.core.config.TrainingKeys;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.loader.dataset.DatasetException;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.student.StudentConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;

/**
 * {@code kdstream faults}: runs the pipeline as separate processes (a KRaft broker, loader, augmenter, teacher
 * service replicas, student trainer, each its own JVM as in a cluster) and injects one fault per scenario: SIGKILL
 * of the student (it resumes from its checkpoint), SIGKILL of one of two teacher replicas (the other takes its
 * partitions), SIGKILL and restart of the broker, an unloadable teacher model and a wrong setting (both must fail
 * fast at start-up). After each run it audits by batch id: batches produced (read back from the augmented topic),
 * trained (the student's {@code trained-batches.txt}), lost, trained twice (optimizer steps beyond distinct batches),
 * duplicates skipped, and the recovery time. Prints a table and writes it to {@code faults.md} in the run directory.
 */
final class FaultSuite {
    /** Defaults: 12,800 Fashion-MNIST images (100 batches of 128 per epoch over 2 partitions), 3 epochs. */
    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("dataset.limit", "12800"),
            Map.entry("dataset.test-limit", "2000"),
            Map.entry("pipeline.epochs", "3"),
            Map.entry("pipeline.batch-size", "128"),
            Map.entry("kafka.partitions", "2"),
            Map.entry("teacher.model", Demo.SHIPPED_TEACHER.toString()));
    private static final List<String> SCENARIOS = List.of("none", "student-sigkill", "teacher-sigkill",
            "broker-restart", "bad-model", "bad-setting");
    private static final Duration RUN_LIMIT = Duration.ofMinutes(8);
    private static final Pattern SERIES = Pattern.compile("^(\\S+?)(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);

    /** One row of the table. */
    record Row(String fault, String injected, long produced, long trained, long lost, long twice, long skipped,
               String recovery, String outcome, String top1, Duration wall) {
    }

    private final Settings settings;
    private final Path dir;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newHttpClient();

    private FaultSuite(Settings settings, Path dir, PrintStream out) {
        this.settings = settings;
        this.dir = dir;
        this.out = out;
    }

    static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(args, env, positional).withDefaults(DEFAULTS);
        List<String> only;
        Path dir;
        try {
            only = s.list(ToolKeys.FAULTS_ONLY, SCENARIOS);
            for (String o : only) {
                if (!SCENARIOS.contains(o)) {
                    throw new ConfigException("setting faults.only=" + o + " is not one of " + SCENARIOS);
                }
            }
            dir = s.path(ToolKeys.FAULTS_DIR).orElse(Demo.runDir("faults"));
            DatasetSpec dataset = DatasetSpec.from(s);
            dataset.open(true);
            s.path(TrainingKeys.TEACHER_MODEL).orElseThrow();
            s.integer(DataKeys.PIPELINE_EPOCHS);
            s.integer(DataKeys.PIPELINE_BATCH_SIZE);
            s.integer(ServiceKeys.KAFKA_PARTITIONS);
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
        for (String scenario : only) {
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

    private Row scenario(String name) {
        long t0 = System.nanoTime();
        Path sdir = dir.resolve(name);
        out.println("faults: " + name + " ...");
        try {
            Files.createDirectories(sdir);
            return switch (name) {
                case "bad-model" -> badModel(sdir, t0);
                case "bad-setting" -> badSetting(sdir, t0);
                default -> pipeline(name, sdir, t0);
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
    private Row pipeline(String fault, Path sdir, long t0) throws IOException, InterruptedException {
        int brokerPort = freePort();
        Path brokerData = sdir.resolve("broker-data");
        Map<String, Child> kids = new LinkedHashMap<>();
        String bootstrap = "127.0.0.1:" + brokerPort;
        long total = totalBatches();
        String injected = "-";
        String recovery = "-";
        int restartedPort = -1;
        try {
            kids.put("broker", broker(sdir, brokerPort, brokerData));
            awaitPort(brokerPort, Duration.ofMinutes(1));
            int studentPort = freePort();
            kids.put("student", service(sdir, "student", "student", bootstrap, studentPort, Map.of()));
            kids.put("teacher-1", service(sdir, "teacher", "teacher-1", bootstrap, freePort(), Map.of()));
            if (fault.equals("teacher-sigkill")) {
                kids.put("teacher-2", service(sdir, "teacher", "teacher-2", bootstrap, freePort(), Map.of()));
            }
            awaitMetrics(studentPort);
            kids.put("augmenter", service(sdir, "augmenter", "augmenter", bootstrap, freePort(), Map.of()));
            kids.put("loader", service(sdir, "loader", "loader", bootstrap, freePort(), Map.of()));

            if (!fault.equals("none")) {
                await(() -> studentBatches(studentPort) >= 0.4 * total || !kids.get("student").alive(),
                        RUN_LIMIT, "the student to train 40% of the batches");
                long before = studentBatches(studentPort);
                injected = String.format(Locale.ROOT, "after %d of %d batches", before, total);
                long tf = System.nanoTime();
                switch (fault) {
                    case "student-sigkill" -> {
                        kids.get("student").kill();
                        out.println("faults: SIGKILL student at batch " + before + "; restarting it");
                        int port2 = freePort();
                        restartedPort = port2;
                        kids.put("student-2", service(sdir, "student", "student-2", bootstrap, port2, Map.of()));
                        await(() -> studentBatches(port2) > 0, Duration.ofMinutes(3), "the restarted student");
                        recovery = seconds(tf) + " (restart + resume to first new step)";
                    }
                    case "teacher-sigkill" -> {
                        kids.get("teacher-2").kill();
                        out.println("faults: SIGKILL teacher-2 at student batch " + before);
                        try (Admin admin = Admin.create(KafkaSettings.local(bootstrap, 2).admin("faults"))) {
                            await(() -> oneMemberOwnsAll(admin), Duration.ofMinutes(3),
                                    "the surviving replica to take every partition");
                        }
                        recovery = seconds(tf) + " (partitions reassigned)";
                    }
                    case "broker-restart" -> {
                        kids.get("broker").kill();
                        out.println("faults: SIGKILL broker at student batch " + before + "; restarting in 3 s");
                        Thread.sleep(3000);
                        kids.put("broker", broker(sdir, brokerPort, brokerData));
                        Child student = kids.get("student");
                        await(() -> studentBatches(studentPort) > before || !student.alive(), Duration.ofMinutes(3),
                                "the student to train again");
                        recovery = seconds(tf) + " (kill to next trained batch, 3 s down)";
                    }
                    default -> throw new IllegalArgumentException(fault);
                }
            }
            Child student = kids.containsKey("student-2") ? kids.get("student-2") : kids.get("student");
            int port = kids.containsKey("student-2") ? restartedPort : studentPort;
            boolean finished = waitWithProgress(fault, student, port, total);
            int code = finished ? student.process.exitValue() : -1;
            for (String k : List.of("loader", "augmenter", "teacher-1", "teacher-2")) {
                Child c = kids.get(k);
                if (c != null && c.alive()) {
                    c.process.waitFor(30, TimeUnit.SECONDS);
                }
            }
            Audit a = audit(bootstrap, sdir.resolve("student-out"));
            String outcome = !finished ? "NOT RECOVERED: student still running after " + RUN_LIMIT.toMinutes() + " min"
                    : code != 0 ? "NOT RECOVERED: student exited " + code + " (see " + sdir.resolve("student.log") + ")"
                    : a.lost() == 0 && a.twice() == 0 ? (fault.equals("none") ? "ok" : "recovered")
                    : "LOST OR DOUBLED";
            return new Row(fault, injected, a.produced(), a.trained(), a.lost(), a.twice(), a.skipped(), recovery,
                    outcome, a.top1(), Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            kids.values().forEach(Child::stop);
        }
    }

    /** Waits for the student to exit, printing a status line every 5 s; false on {@link #RUN_LIMIT}. */
    private boolean waitWithProgress(String fault, Child student, int port, long total) throws InterruptedException {
        long start = System.nanoTime();
        while (!student.process.waitFor(5, TimeUnit.SECONDS)) {
            long done = studentBatches(port);
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
        Path good = settings.path(TrainingKeys.TEACHER_MODEL).orElseThrow();
        Files.copy(good.resolve("model.properties"), model.resolve("model.properties"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] params = Files.readAllBytes(good.resolve("model.params"));
        Files.write(model.resolve("model.params"), java.util.Arrays.copyOf(params, params.length / 3)); // truncated
        return failFast("bad-model", "teacher.model = a model whose model.params is truncated", sdir, t0,
                List.of("run", "teacher", "--teacher.model=" + model, "--kafka.bootstrap=127.0.0.1:" + freePort()),
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
        ProcessBuilder pb = javaCommand(args).redirectErrorStream(true).redirectOutput(log.toFile());
        long ts = System.nanoTime();
        Process p = pb.start();
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

    // ---------------------------------------------------------------------------------------------- audit

    /** What a run did, by batch id. */
    record Audit(long produced, long trained, long lost, long twice, long skipped, String top1) {
    }

    private Audit audit(String bootstrap, Path studentOut) throws IOException {
        KafkaSettings k = KafkaSettings.local(bootstrap, 2);
        Set<String> produced = Demo.producedBatches(k);
        Path ids = studentOut.resolve("trained-batches.txt");
        Path summary = studentOut.resolve("summary.properties");
        if (!Files.exists(ids) || !Files.exists(summary)) {
            return new Audit(produced.size(), -1, -1, -1, -1, "-");
        }
        List<String> lines = Files.readAllLines(ids);
        Set<String> trained = new HashSet<>(lines);
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(summary)) {
            p.load(r);
        }
        long steps = Long.parseLong(p.getProperty("steps"));
        Set<String> lost = new HashSet<>(produced);
        lost.removeAll(trained);
        return new Audit(produced.size(), trained.size(), lost.size(), steps - trained.size(),
                Long.parseLong(p.getProperty("duplicates.skipped", "0")),
                String.format(Locale.ROOT, "%.2f%%", 100 * Double.parseDouble(p.getProperty("top1"))));
    }

    private long totalBatches() {
        DatasetSpec d = DatasetSpec.from(settings);
        return settings.integer(DataKeys.PIPELINE_EPOCHS) * StudentConfig.batchesPerEpoch(d.open(true).size(),
                settings.integer(ServiceKeys.KAFKA_PARTITIONS), settings.integer(DataKeys.PIPELINE_BATCH_SIZE));
    }

    private static boolean oneMemberOwnsAll(Admin admin) {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("kds.teacher")).all()
                    .get(10, TimeUnit.SECONDS).get("kds.teacher");
            return d.members().size() == 1 && d.members().iterator().next().assignment().topicPartitions().size() == 2;
        } catch (Exception e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------- processes

    /** A child JVM and its log. */
    private record Child(String name, Process process) {
        boolean alive() {
            return process.isAlive();
        }

        /** SIGKILL: no shutdown hook, no commit, no goodbye. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** SIGTERM, then SIGKILL after 20 s. */
        void stop() {
            if (!process.isAlive()) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private Child broker(Path sdir, int port, Path data) throws IOException {
        return start(sdir, "broker", List.of("broker", "--broker.port=" + port, "--broker.data-dir=" + data));
    }

    /** {@code kdstream run <service>} with the suite's settings, its metrics on {@code metricsPort}. */
    private Child service(Path sdir, String service, String name, String bootstrap, int metricsPort,
                          Map<String, String> extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", service, "--kafka.bootstrap=" + bootstrap,
                "--kafka.partitions=" + settings.integer(ServiceKeys.KAFKA_PARTITIONS), "--metrics.port=" + metricsPort,
                "--metrics.host=127.0.0.1", "--metrics.replica=" + name));
        DatasetSpec d = DatasetSpec.from(settings);
        int epochs = settings.integer(DataKeys.PIPELINE_EPOCHS);
        int batch = settings.integer(DataKeys.PIPELINE_BATCH_SIZE);
        Path teacher = settings.path(TrainingKeys.TEACHER_MODEL).orElseThrow().toAbsolutePath();
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
        return start(sdir, name, args);
    }

    private Child start(Path sdir, String name, List<String> args) throws IOException {
        Path log = sdir.resolve(name + ".log");
        ProcessBuilder pb = javaCommand(args).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith(Settings.ENV_PREFIX));
        return new Child(name, pb.start());
    }

    private static ProcessBuilder javaCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dkdstream.home=" + System.getProperty("kdstream.home", "."),
                "-cp", System.getProperty("java.class.path"), Kdstream.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith(Settings.ENV_PREFIX));
        return pb;
    }

    // ---------------------------------------------------------------------------------------------- probes

    private long studentBatches(int port) {
        return (long) scrape(port, "kds_stage_batches_total", "stage=\"student\"");
    }

    /** The value of the first series of {@code name} whose labels contain {@code label}; -1 when unreachable. */
    private double scrape(int port, String name, String label) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = SERIES.matcher(body);
            while (m.find()) {
                if (m.group(1).equals(name) && (m.group(2) == null ? "" : m.group(2)).contains(label)) {
                    return Double.parseDouble(m.group(3));
                }
            }
            return 0;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void awaitMetrics(int port) throws InterruptedException {
        await(() -> scrape(port, "kds_stage_batches_total", "") >= 0, Duration.ofMinutes(2),
                "the student's metrics endpoint");
    }

    private static void awaitPort(int port, Duration limit) throws InterruptedException {
        await(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, limit, "the broker on port " + port);
    }

    private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("faults: timed out after " + limit.toSeconds() + " s waiting for "
                        + what);
            }
            Thread.sleep(200);
        }
    }

    private static String seconds(long sinceNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
