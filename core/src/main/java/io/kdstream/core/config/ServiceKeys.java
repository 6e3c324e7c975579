package io.kdstream.core.config;

import static io.kdstream.core.config.Key.Reader.AUDIT;
import static io.kdstream.core.config.Key.Reader.AUGMENTER;
import static io.kdstream.core.config.Key.Reader.BROKER;
import static io.kdstream.core.config.Key.Reader.LOADER;
import static io.kdstream.core.config.Key.Reader.PROCESS;
import static io.kdstream.core.config.Key.Reader.SERVICES;
import static io.kdstream.core.config.Key.Reader.STUDENT;
import static io.kdstream.core.config.Key.Reader.TEACHER;
import static io.kdstream.core.config.Key.Reader.TEACHER_ADMIN;
import static io.kdstream.core.config.Key.Type.BOOLEAN;
import static io.kdstream.core.config.Key.Type.CHOICE;
import static io.kdstream.core.config.Key.Type.INTEGER;
import static io.kdstream.core.config.Key.Type.PATH;
import static io.kdstream.core.config.Key.Type.TEXT;

import io.kdstream.core.config.Key.Reader;

/**
 * The catalogue's settings of the processes around the data: Kafka clients, the metrics and admin endpoints, engine
 * and OS tuning, the broker command, presets and help.
 */
public final class ServiceKeys {
    private static final Reader[] KAFKA = {LOADER, AUGMENTER, TEACHER, STUDENT, AUDIT, TEACHER_ADMIN};

    public static final Key KAFKA_BOOTSTRAP = Key.of("kafka.bootstrap", TEXT, "127.0.0.1:9092", "the brokers",
            KAFKA);
    public static final Key KAFKA_TOPIC_PREFIX = Key.of("kafka.topic-prefix", TEXT, "kds.",
            "prefix of every topic and consumer group", KAFKA);
    public static final Key KAFKA_PARTITIONS = Key.of("kafka.partitions", INTEGER, "4",
            "partitions of the data topics: the parallelism of each stage", KAFKA);
    public static final Key KAFKA_REPLICATION = Key.of("kafka.replication", INTEGER, "1",
            "replication factor of the topics kdstream creates", KAFKA);
    public static final Key KAFKA_MAX_RECORD_BYTES = Key.of("kafka.max-record-bytes", INTEGER, "16777216",
            "largest record; a batch that encodes larger fails with a message naming this setting", append(KAFKA,
                    BROKER));
    public static final Key KAFKA_SEND_TIMEOUT_MS = Key.of("kafka.send-timeout-ms", INTEGER, "30000",
            "a send the broker has not acknowledged by then fails", KAFKA);
    public static final Key KAFKA_CLIENT_ID = Key.ruled("kafka.client-id", TEXT, "kds-<host>-<pid>",
            "the Kafka clients' `client.id`", KAFKA);
    public static final Key KAFKA_CLIENT = Key.ruled("kafka.client.*", TEXT, "none",
            "passed to every Kafka client, e.g. `--kafka.client.security.protocol=SSL`", KAFKA);

    public static final Key METRICS_PORT = Key.of("metrics.port", INTEGER, "0",
            "a `run` service's Prometheus `/metrics` port (0 = off; 9400 in the images)", SERVICES);
    public static final Key METRICS_HOST = Key.of("metrics.host", TEXT, "0.0.0.0", "the address it listens on",
            SERVICES);
    public static final Key METRICS_REPLICA = Key.ruled("metrics.replica", TEXT, "$HOSTNAME",
            "the `replica` tag on every meter (the container id in compose)", SERVICES);

    public static final Key ADMIN_PORT = Key.of("admin.port", INTEGER, "-1",
            "the teacher service's admin endpoint (-1 = off, 0 = any free port)", TEACHER);
    public static final Key ADMIN_HOST = Key.of("admin.host", TEXT, "0.0.0.0", "the address it listens on", TEACHER);
    public static final Key ADMIN_TOKEN = Key.ruled("admin.token", TEXT, "none",
            "required with `admin.port` and by `teacher swap`, 16+ characters; requests send `Authorization: "
                    + "Bearer <token>`", TEACHER, TEACHER_ADMIN);

    public static final Key ENGINE_THREADS = Key.of("engine.threads", TEXT, "auto",
            "PyTorch's intra-op threads: `auto` uses every core on machines of up to 4 cores, else half (at least "
                    + "4); an explicit `OMP_NUM_THREADS` is left alone under `auto` (docs/PERFORMANCE.md)", PROCESS);
    public static final Key ENGINE_DATA_PATH_PRIORITY = Key.of("engine.data-path-priority", CHOICE, "auto",
            "`idle` runs every thread that is not PyTorch compute under `SCHED_IDLE`; `auto` does so on CPU hosts "
                    + "once PyTorch runs; `normal` leaves threads alone (docs/PERFORMANCE.md)", PROCESS);
    public static final Key ENGINE_OMP_SPIN = Key.of("engine.omp-spin", TEXT, "auto",
            "`GOMP_SPINCOUNT` for PyTorch's OpenMP threads: `auto` sets 10,000 when they take every core, "
                    + "`default` never touches it, a number sets it (docs/PERFORMANCE.md)", PROCESS);
    public static final Key HELP = Key.of("help", BOOLEAN, "false", "print the command's usage and settings",
            PROCESS);
    public static final Key PRESET = Key.ruled("preset", CHOICE, "none",
            "a recipe: `supervised`, `usi`, `funmatch`, `bag-of-tricks` (docs/RECIPES.md); below flags and "
                    + "variables", AUGMENTER, STUDENT);

    public static final Key BROKER_PORT = Key.of("broker.port", INTEGER, "9092", "`broker`: its port", BROKER);
    public static final Key BROKER_DATA_DIR = Key.ruled("broker.data-dir", PATH, "a new temporary directory",
            "`broker`: where its log lives", BROKER);

    private ServiceKeys() {
    }

    private static Reader[] append(Reader[] a, Reader b) {
        Reader[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }
}
