package io.kdstream.app.lab;

import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.loader.dataset.DatasetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline as separate processes on this machine, as in a cluster: a KRaft broker (itself a child process, so it
 * can be killed and restarted on its log) and {@code kdstream run} services, each its own JVM with its metrics on a
 * port of its own and its log in the scenario's directory. The fault suite and the soak start, kill and restart
 * these; closing stops every process still running.
 */
final class ProcessCluster implements AutoCloseable {
    private final Settings settings;
    private final Path dir;
    private final int brokerPort;
    private final Map<String, ChildProcess> kids = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();

    /**
     * @param settings the workload: dataset, epochs, batch size, partitions, teacher model
     * @param dir      where logs, the broker's data and the student's output go
     */
    ProcessCluster(Settings settings, Path dir) throws IOException {
        this.settings = settings;
        this.dir = dir;
        this.brokerPort = Probes.freePort();
    }

    String bootstrap() {
        return "127.0.0.1:" + brokerPort;
    }

    Path studentOut() {
        return dir.resolve("student-out");
    }

    /** Starts the broker on its port and data directory (again, after a kill) and waits until it listens. */
    void startBroker() throws IOException, InterruptedException {
        kids.put("broker", ChildProcess.start(dir, "broker", List.of("broker", "--broker.port=" + brokerPort,
                "--broker.data-dir=" + dir.resolve("broker-data"))));
        Probes.awaitPort(brokerPort, java.time.Duration.ofMinutes(1));
    }

    /**
     * Starts {@code kdstream run SERVICE} as {@code name} (its log {@code <name>.log}, its metrics on a free port)
     * with the workload's settings, {@code extra} adding to or replacing them.
     */
    ChildProcess start(String service, String name, Map<String, String> extra) throws IOException {
        int port = Probes.freePort();
        Map<String, String> given = new LinkedHashMap<>();
        given.put("kafka.bootstrap", bootstrap());
        given.put("kafka.partitions", Integer.toString(settings.integer(Keys.KAFKA_PARTITIONS)));
        given.put("metrics.port", Integer.toString(port));
        given.put("metrics.host", "127.0.0.1");
        given.put("metrics.replica", name);
        DatasetSpec d = DatasetSpec.from(settings);
        String epochs = Integer.toString(settings.integer(Keys.PIPELINE_EPOCHS));
        String batch = Integer.toString(settings.integer(Keys.PIPELINE_BATCH_SIZE));
        String teacher = settings.path(Keys.TEACHER_MODEL).orElseThrow().toAbsolutePath().toString();
        switch (service) {
            case "loader" -> given.putAll(Map.of("dataset.path", d.path().toString(), "dataset.limit",
                    Integer.toString(d.limit()), "pipeline.epochs", epochs, "pipeline.batch-size", batch));
            case "augmenter" -> given.putAll(Map.of("pipeline.batch-size", batch, "augment.crop-scale-min", "0.35",
                    "augmenter.feeds", "kds.teacher"));
            case "teacher" -> given.putAll(Map.of("teacher.model", teacher, "teacher.device", "cpu"));
            case "student" -> given.putAll(Map.of("dataset.path", d.path().toString(), "dataset.limit",
                    Integer.toString(d.limit()), "dataset.test-limit", Integer.toString(d.testLimit()),
                    "pipeline.epochs", epochs, "pipeline.batch-size", batch, "student.out", studentOut().toString(),
                    "student.eval-teacher", teacher, "student.lr", "4e-3", "student.device", "cpu"));
            default -> throw new IllegalArgumentException(service);
        }
        given.putAll(extra);
        List<String> args = new ArrayList<>(List.of("run", service));
        given.forEach((k, v) -> args.add("--" + k + "=" + v));
        ChildProcess c = ChildProcess.start(dir, name, args);
        kids.put(name, c);
        ports.put(name, port);
        return c;
    }

    /** The process started as {@code name}, or null. */
    ChildProcess get(String name) {
        return kids.get(name);
    }

    /** The metrics port of the service started as {@code name}. */
    int port(String name) {
        return ports.get(name);
    }

    boolean has(String name) {
        return kids.containsKey(name);
    }

    /** The services started, by name, with their metrics ports (the broker has none). */
    Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    @Override
    public void close() {
        kids.values().forEach(ChildProcess::stop);
    }
}
