package io.kdstream.core.config;

import static io.kdstream.core.config.Key.Reader.BENCH_DATA;
import static io.kdstream.core.config.Key.Reader.BENCH_IMAGES;
import static io.kdstream.core.config.Key.Reader.BENCH_SCALE;
import static io.kdstream.core.config.Key.Reader.BENCH_TRAIN;
import static io.kdstream.core.config.Key.Reader.DEMO;
import static io.kdstream.core.config.Key.Reader.ENGINE;
import static io.kdstream.core.config.Key.Reader.EXPERIMENT;
import static io.kdstream.core.config.Key.Reader.FAULTS;
import static io.kdstream.core.config.Key.Reader.TEACHER_ADMIN;
import static io.kdstream.core.config.Key.Type.BOOLEAN;
import static io.kdstream.core.config.Key.Type.CHOICE;
import static io.kdstream.core.config.Key.Type.INTEGER;
import static io.kdstream.core.config.Key.Type.LIST;
import static io.kdstream.core.config.Key.Type.NUMBER;
import static io.kdstream.core.config.Key.Type.PATH;
import static io.kdstream.core.config.Key.Type.TEXT;

/** The catalogue's settings of the one-machine commands: demo, experiments, the fault suite, benches, admin. */
public final class ToolKeys {
    public static final Key SMOKE = Key.of("smoke", BOOLEAN, "false",
            "the tiny size: the shipped 400-image subset, tiny models, a teacher trained on the spot", DEMO,
            EXPERIMENT);
    public static final Key DEMO_TEACHER_ARCH = Key.of("demo.teacher-arch", CHOICE, "cnn",
            "the teacher `demo` and `train-teacher` train when `teacher.model` does not exist", DEMO);
    public static final Key DEMO_TEACHER_WIDTH = Key.of("demo.teacher-width", INTEGER, "32",
            "its width", DEMO);
    public static final Key DEMO_TEACHER_DEPTH = Key.of("demo.teacher-depth", INTEGER, "2", "its depth", DEMO);
    public static final Key DEMO_TEACHER_EPOCHS = Key.of("demo.teacher-epochs", INTEGER, "10", "its epochs", DEMO);
    public static final Key DEMO_TEACHER_LR = Key.of("demo.teacher-lr", NUMBER, "2e-3", "its learning rate", DEMO);

    public static final Key EXPERIMENT_SEEDS = Key.of("experiment.seeds", INTEGER, "1",
            "seeds per arm (`pipeline.seed`, `pipeline.seed` + 1, ...)", EXPERIMENT);
    public static final Key EXPERIMENT_DIR = Key.ruled("experiment.dir", PATH, "runs/experiment-NAME",
            "where an experiment's runs, tables and plots go", EXPERIMENT);

    public static final Key FAULTS_ONLY = Key.ruled("faults.only", LIST, "every scenario",
            "the scenarios to run: `none`, `student-sigkill`, `student-sigkill-mid-epoch`, `teacher-sigkill`, "
                    + "`broker-restart`, `bad-model`, "
                    + "`bad-setting`", FAULTS);
    public static final Key FAULTS_DIR = Key.ruled("faults.dir", PATH, "runs/faults-<time>", "where runs and faults.md go",
            FAULTS);

    public static final Key BENCH_REPEATS = Key.of("bench.repeats", INTEGER, "3",
            "measured repetitions, interleaved", BENCH_DATA, BENCH_TRAIN);
    public static final Key BENCH_WARM_UPS = Key.of("bench.warm-ups", INTEGER, "1",
            "passes first run and not counted", BENCH_DATA, BENCH_TRAIN);
    public static final Key BENCH_REFERENCE = Key.of("bench.reference", CHOICE, "auto",
            "`bench data`: run the torchvision reference side by side: `auto` (when Python has it), `on`, `off`",
            BENCH_DATA);
    public static final Key BENCH_PYTHON = Key.ruled("bench.python", PATH, "/usr/bin/python3 where it exists, else python3 on the PATH",
            "`bench data`: the Python that runs the reference", BENCH_DATA);
    public static final Key BENCH_BROKER_DIR = Key.of("bench.broker-dir", TEXT, "auto",
            "`bench train`: the broker's log: `auto` (/dev/shm when it has 4 GiB free) or a folder", BENCH_TRAIN);
    public static final Key BENCH_REPLICAS = Key.of("bench.replicas", LIST, "1,2,4,8",
            "`bench scale`: the teacher replica counts to run", BENCH_SCALE);
    public static final Key BENCH_TEACHER_LATENCY_MS = Key.of("bench.teacher-latency-ms", NUMBER, "200",
            "`bench scale`: what a stand-in teacher takes per batch", BENCH_SCALE);
    public static final Key BENCH_IMAGES_PER_REPLICA = Key.of("bench.images-per-replica", INTEGER, "3000",
            "`bench scale`: images per run and replica", BENCH_SCALE);
    public static final Key BENCH_PLOT = Key.of("bench.plot", PATH, "runs/bench-scale.png",
            "`bench scale`: the plot it writes", BENCH_SCALE);
    public static final Key BENCH_OUT = Key.of("bench.out", PATH, "runs/images224",
            "`bench images`: where the JPEGs go (a test split beside it, `-test`)", BENCH_IMAGES);
    public static final Key BENCH_CLASSES = Key.of("bench.classes", INTEGER, "100", "`bench images`: classes",
            BENCH_IMAGES);
    public static final Key BENCH_PER_CLASS = Key.of("bench.per-class", INTEGER, "20",
            "`bench images`: training images per class", BENCH_IMAGES);
    public static final Key BENCH_TEST_PER_CLASS = Key.of("bench.test-per-class", INTEGER, "4",
            "`bench images`: test images per class", BENCH_IMAGES);
    public static final Key BENCH_SEED = Key.of("bench.seed", INTEGER, "1", "`bench images`: the images' seed",
            BENCH_IMAGES);

    public static final Key DEVICE = Key.of("device", TEXT, "auto",
            "`engine`: the device to test: `auto` (a GPU when there is one), `cpu`, `gpu`, `gpu:N`", ENGINE);
    public static final Key SWAP_TO = Key.ruled("to", PATH, "none (required)",
            "`teacher swap`: the model to swap to, inside the replicas' `teacher.model-root`", TEACHER_ADMIN);
    public static final Key SWAP_ID = Key.ruled("id", TEXT, "the model's name",
            "`teacher swap`: the teacher id the batches carry", TEACHER_ADMIN);
    public static final Key SWAP_VERSION = Key.ruled("version", TEXT, "the model's own",
            "`teacher swap`: the version the batches carry", TEACHER_ADMIN);

    private ToolKeys() {
    }
}
