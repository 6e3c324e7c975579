package io.kdstream.app;

import static io.kdstream.core.config.Key.Reader.AUDIT;
import static io.kdstream.core.config.Key.Reader.AUGMENTER;
import static io.kdstream.core.config.Key.Reader.BENCH_DATA;
import static io.kdstream.core.config.Key.Reader.BENCH_IMAGES;
import static io.kdstream.core.config.Key.Reader.BENCH_TOPK;
import static io.kdstream.core.config.Key.Reader.BENCH_SCALE;
import static io.kdstream.core.config.Key.Reader.BENCH_TRAIN;
import static io.kdstream.core.config.Key.Reader.BROKER;
import static io.kdstream.core.config.Key.Reader.DATASET;
import static io.kdstream.core.config.Key.Reader.DEMO;
import static io.kdstream.core.config.Key.Reader.ENGINE;
import static io.kdstream.core.config.Key.Reader.EXPERIMENT;
import static io.kdstream.core.config.Key.Reader.FAULTS;
import static io.kdstream.core.config.Key.Reader.LOADER;
import static io.kdstream.core.config.Key.Reader.PROCESS;
import static io.kdstream.core.config.Key.Reader.SERVICES;
import static io.kdstream.core.config.Key.Reader.STUDENT;
import static io.kdstream.core.config.Key.Reader.TEACHER;
import static io.kdstream.core.config.Key.Reader.TEACHER_ADMIN;

import io.kdstream.app.bench.BenchImagesCommand;
import io.kdstream.app.bench.DataBench;
import io.kdstream.app.bench.ScaleBench;
import io.kdstream.app.bench.TrainBench;
import io.kdstream.app.lab.FaultSuite;
import io.kdstream.core.config.Key;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code --help} of every command: its usage and what it does, then the settings it reads, written from the settings
 * catalogue with the defaults in effect for that command ({@link SettingsHelp}).
 */
final class CommandHelp {
    /** One command: its usage text, the readers whose settings it takes, and its own defaults. */
    private record Entry(String usage, Set<Key.Reader> readers, Map<String, String> defaults) {
    }

    private static final Map<String, Entry> HELP = entries();

    private CommandHelp() {
    }

    private static Map<String, Entry> entries() {
        Map<String, Entry> m = new LinkedHashMap<>();
        m.put("demo", entry("""
                usage: kdstream demo [--smoke] [--key=value ...]

                Distils a student from a teacher on Fashion-MNIST through an embedded Kafka broker: loader,
                augmenter, teacher service and student trainer in one process, with progress lines and a summary.
                --smoke runs the shipped 400-image subset with tiny models and a teacher trained on the spot (under
                2 minutes). teacher.model is a kdstream model directory or a TorchScript file; a missing directory
                is trained first with the demo.teacher-* settings.
                """, Demo.DEFAULTS, LOADER, AUGMENTER, TEACHER, STUDENT, DEMO, PROCESS));
        m.put("train-teacher", entry("""
                usage: kdstream train-teacher [--teacher.model=DIR] [--demo.teacher-*=...] [--key=value ...]

                Trains the demo's teacher (supervised, with the demo.teacher-* settings) into teacher.model unless it
                exists already.
                """, Demo.DEFAULTS, LOADER, AUGMENTER, STUDENT, DEMO, PROCESS));
        m.put("stream", entry("""
                usage: kdstream stream [--key=value ...]

                An embedded broker, the loader and the augmenter on the dataset (default Debian's Fashion-MNIST),
                with a progress line and a summary: the data path alone.
                """, StreamCommand.DEFAULTS, LOADER, AUGMENTER, PROCESS));
        m.put("broker", entry("""
                usage: kdstream broker [--broker.port=9092] [--broker.data-dir=DIR] [--kafka.max-record-bytes=N]

                A real single-node KRaft Kafka broker on 127.0.0.1, until interrupted.
                """, Map.of(), BROKER, PROCESS));
        m.put("engine", entry("""
                usage: kdstream engine [--device=auto|cpu|gpu|gpu:N] [--engine.*=...]

                The DL engine (PyTorch through DJL), the GPUs it sees, the threads it uses and one test
                computation on the device: the first thing to run on a new host.
                """, Map.of(), ENGINE, PROCESS));
        m.put("faults", entry("""
                usage: kdstream faults [--faults.only=a,b] [--faults.dir=DIR] [--key=value ...]
                       kdstream faults --faults.soak=60m [--faults.soak-kill-every=5m] [--faults.soak-sample-every=5m]

                The fault-injection suite over separate processes (docs/RELIABILITY.md): each scenario runs the
                pipeline, injects its fault and audits by batch id what was produced, trained, lost or trained
                twice, and how long recovery took; prints a table and writes faults.md. With faults.soak, one run
                that never ends for that long instead: teacher replicas killed and replaced, one broker restart,
                heap and state sampled; then it drains, audits and writes soak.md.
                """, FaultSuite.DEFAULTS, LOADER, AUGMENTER, TEACHER, STUDENT, FAULTS, PROCESS));
        m.put("experiment", entry("""
                usage: kdstream experiment NAME [--smoke] [--experiment.seeds=1] [--experiment.dir=DIR] [--key=value ...]

                A named comparison, each arm a demo run with the same student and budget (docs/RESULTS.md):
                NAME is consistency, recipes, dlb, results, baselines, sizes or kd-vs-labels. Writes results.md,
                accuracy.csv and accuracy.png. pipeline.epochs defaults to 3 (2 with --smoke); settings given here
                apply to every arm.
                """, Demo.DEFAULTS, LOADER, AUGMENTER, TEACHER, STUDENT, DEMO, EXPERIMENT, PROCESS));
        m.put("bench train", entry("""
                usage: kdstream bench train [--bench.repeats=5] [--bench.warm-ups=3] [--bench.broker-dir=auto]
                                            [--teacher.model=DIR] [--key=value ...]

                Side by side on the same batches: the student through Kafka against the student from memory,
                and the teacher service against the raw forward pass of the same model (docs/PERFORMANCE.md).
                """, merged(TrainBench.DEFAULTS, Demo.DEFAULTS), LOADER, AUGMENTER, TEACHER, STUDENT, BENCH_TRAIN,
                PROCESS));
        m.put("bench data", entry(DataBench.HELP, StreamCommand.DEFAULTS, LOADER, AUGMENTER, BENCH_DATA, PROCESS));
        m.put("bench scale", entry(ScaleBench.HELP, ScaleBench.DEFAULTS, LOADER, AUGMENTER, BENCH_SCALE, PROCESS));
        m.put("bench images", entry(BenchImagesCommand.HELP, Map.of(), BENCH_IMAGES, PROCESS));
        m.put("bench topk", entry(io.kdstream.app.bench.TopKBench.HELP, io.kdstream.app.bench.TopKBench.DEFAULTS,
                LOADER, TEACHER, BENCH_TOPK, PROCESS));
        m.put("dataset prepare", entry(DatasetCommand.HELP, Map.of(), DATASET, PROCESS));
        m.put("audit", entry(AuditCommand.HELP, Map.of(), AUDIT, PROCESS));
        m.put("teacher swap", entry(TeacherCommand.HELP, Map.of(), TEACHER_ADMIN, PROCESS));
        m.put("run loader", service("loader", "reads dataset.* and publishes SAMPLE records (loader.ship)",
                LOADER));
        m.put("run augmenter", service("augmenter", "turns SAMPLE records into augmented batches or view records",
                AUGMENTER));
        m.put("run teacher", service("teacher", "annotates augmented batches with teacher.model's logits; start "
                + "several for a consumer group\nof replicas; admin.* for live swaps", TEACHER));
        m.put("run student", service("student", "trains the student on annotated batches (student.mode=supervised: "
                + "on augmented ones),\nevaluates and checkpoints", STUDENT));
        return m;
    }

    private static Entry entry(String usage, Map<String, String> defaults, Key.Reader... readers) {
        return new Entry(usage, EnumSet.copyOf(Arrays.asList(readers)), defaults);
    }

    private static Entry service(String name, String what, Key.Reader reader) {
        return entry("usage: kdstream run " + name + " [--kafka.bootstrap=HOST:PORT] [--metrics.port=N] [--key=value ...]"
                + "\n\nThe " + name + " service against kafka.bootstrap, until its run ends or it is stopped.\nIt " + what
                + ".\n", Map.of(), reader, SERVICES, PROCESS);
    }

    private static Map<String, String> merged(Map<String, String> first, Map<String, String> then) {
        Map<String, String> m = new TreeMap<>(then);
        m.putAll(first);
        return m;
    }

    /** The help of {@code command} (one or two words), when it is a command. */
    static Optional<String> of(String command) {
        Entry e = HELP.get(command);
        return e == null ? Optional.empty() : Optional.of(e.usage() + SettingsHelp.listing(e.readers(),
                e.defaults()));
    }

    /** The commands, for the test that asks each for its help. */
    static List<String> commands() {
        return HELP.keySet().stream().sorted().toList();
    }

    /** Every command's own defaults, by command, for docs/SETTINGS.md (paths under the install shown relative). */
    static Map<String, Map<String, String>> commandDefaults() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        String home = java.nio.file.Path.of(System.getProperty("kdstream.home", ".")).toAbsolutePath().normalize()
                + "/";
        HELP.forEach((command, e) -> {
            Map<String, String> d = new TreeMap<>();
            e.defaults().forEach((k, v) -> d.put(k, v.startsWith(home) ? v.substring(home.length())
                    : v.startsWith("./") ? v.substring(2) : v));
            if (!d.isEmpty()) {
                out.put(command, d);
            }
        });
        return out;
    }
}
