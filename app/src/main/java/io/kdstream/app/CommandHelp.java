package io.kdstream.app;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --help} of the commands that take the settings of the services they run (demo, stream, faults, the
 * services themselves, ...) rather than a few of their own; the other commands print their own help. Every setting
 * can also be given as {@code KDS_<KEY>}; docs/SETTINGS.md gives each one's default and meaning.
 */
final class CommandHelp {
    private static final String SETTINGS = """
              every setting of the services it runs: dataset.*, pipeline.*, loader.*, augment.*, view.*, teacher.*,
              student.*, kafka.*, render.threads, engine.* (docs/SETTINGS.md: each with its default and
              meaning); each can also be given as KDS_<KEY>, e.g. KDS_PIPELINE_EPOCHS=3
            """;

    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("demo", """
                    usage: kdstream demo [--smoke] [--key=value ...]

                    Distils a student from a teacher on Fashion-MNIST through an embedded Kafka broker: loader,
                    augmenter, teacher service and student trainer in one process, with progress lines and a summary.
                      --smoke                 the shipped 400-image subset, tiny models and a teacher trained on the
                                              spot: under 2 minutes
                      --teacher.model=DIR     the teacher (default teachers/fashion-cnn32; trained first if missing,
                                              with --demo.teacher-arch=cnn, --demo.teacher-width=32,
                                              --demo.teacher-depth=2, --demo.teacher-epochs=10, --demo.teacher-lr=2e-3)
                      defaults of the demo: pipeline.epochs=5, pipeline.batch-size=128, kafka.partitions=2,
                                              student.width=8, student.depth=1, student.lr=4e-3, augment.mix=mixup
                    """ + SETTINGS),
            Map.entry("train-teacher", """
                    usage: kdstream train-teacher [--teacher.model=DIR] [--demo.teacher-*=...] [--key=value ...]

                    Trains the demo's teacher (supervised) into teacher.model unless it exists already:
                    --demo.teacher-arch=cnn, --demo.teacher-width=32, --demo.teacher-depth=2,
                    --demo.teacher-epochs=10, --demo.teacher-lr=2e-3.
                    """ + SETTINGS),
            Map.entry("stream", """
                    usage: kdstream stream [--key=value ...]

                    An embedded broker, the loader and the augmenter on the dataset (default Debian's Fashion-MNIST),
                    with a progress line and a summary: the data path alone. Defaults: kafka.partitions=2,
                    augment.crop-scale-min=0.35; a preset (--preset=NAME, docs/RECIPES.md) sets several at once.
                    """ + SETTINGS),
            Map.entry("broker", """
                    usage: kdstream broker [--broker.port=9092] [--broker.data-dir=DIR] [--kafka.max-record-bytes=N]

                    A real single-node KRaft Kafka broker on 127.0.0.1, until interrupted.
                      --broker.port           the port (default 9092)
                      --broker.data-dir       where its log lives (default a new temporary directory)
                      --kafka.max-record-bytes the largest record it accepts (default 16 MiB)
                    """),
            Map.entry("engine", """
                    usage: kdstream engine [--device=auto|cpu|gpu|gpu:N] [--engine.*=...]

                    The DL engine (PyTorch through DJL), the GPUs it sees, the threads it uses and one test
                    computation on the device: the first thing to run on a new host.
                      --device                auto (a GPU when there is one), cpu, gpu or gpu:N (default auto)
                      --engine.threads, --engine.omp-spin, --engine.data-path-priority: see docs/SETTINGS.md
                    """),
            Map.entry("faults", """
                    usage: kdstream faults [--faults.only=a,b] [--faults.dir=DIR] [--key=value ...]

                    The fault-injection suite over separate processes (docs/RELIABILITY.md): each scenario runs the
                    pipeline, injects its fault and audits by batch id what was produced, trained, lost or trained
                    twice, and how long recovery took; prints a table and writes faults.md.
                      --faults.only           scenarios to run (default all: none, student-sigkill, teacher-sigkill,
                                              broker-restart, bad-model, bad-setting)
                      --faults.dir            where runs and faults.md go (default runs/faults)
                      --teacher.model, --pipeline.epochs=3, --pipeline.batch-size=128, --kafka.partitions=2
                    """),
            Map.entry("experiment", """
                    usage: kdstream experiment NAME [--smoke] [--experiment.seeds=1] [--experiment.dir=DIR] [--key=value ...]

                    A named comparison, each arm a demo run with the same student and budget (docs/RESULTS.md):
                    NAME is consistency, recipes, dlb, results or baselines. Writes results.md, accuracy.csv and
                    accuracy.png.
                      --smoke                 the tiny size (the shipped subset, tiny models)
                      --experiment.seeds      seeds per arm (default 1)
                      --experiment.dir        where the runs go (default runs/experiment-NAME)
                      settings given here apply to every arm
                    """ + SETTINGS),
            Map.entry("bench train", """
                    usage: kdstream bench train [--bench.repeats=5] [--bench.warm-ups=3] [--bench.broker-dir=auto]
                                                [--teacher.model=DIR] [--key=value ...]

                    Side by side on the same batches: the student through Kafka against the student from memory,
                    and the teacher service against the raw forward pass of the same model (docs/PERFORMANCE.md).
                      --bench.repeats         measured repetitions, interleaved (default 5)
                      --bench.warm-ups        warm-up passes of the services, not counted (default 3)
                      --bench.broker-dir      the broker's log: auto (/dev/shm when it has 4 GiB free), or a folder
                    """ + SETTINGS),
            Map.entry("run loader", service("loader", "reads dataset.* and publishes SAMPLE\n"
                    + "records (loader.ship)")),
            Map.entry("run augmenter", service("augmenter", "turns SAMPLE records into augmented\n"
                    + "batches or view records")),
            Map.entry("run teacher", service("teacher", "annotates augmented batches with\n"
                    + "teacher.model's logits; start several for a consumer group of replicas; admin.* for live swaps")),
            Map.entry("run student", service("student", "trains the student on annotated\n"
                    + "batches (student.mode=supervised: on augmented ones), evaluates and checkpoints")));

    private CommandHelp() {
    }

    private static String service(String name, String what) {
        return "usage: kdstream run " + name + " [--kafka.bootstrap=HOST:PORT] [--metrics.port=N] [--key=value ...]\n\n"
                + "The " + name + " service against kafka.bootstrap (default 127.0.0.1:9092), until its run ends or it\n"
                + "is stopped; --metrics.port serves Prometheus metrics on /metrics. It " + what + ".\n" + SETTINGS;
    }

    /** The help of {@code command} (one or two words), when it is one of these commands. */
    static Optional<String> of(String command) {
        return Optional.ofNullable(HELP.get(command));
    }

    /** The commands these texts cover, for the test that asks each for its help. */
    static List<String> commands() {
        return HELP.keySet().stream().sorted().toList();
    }
}
