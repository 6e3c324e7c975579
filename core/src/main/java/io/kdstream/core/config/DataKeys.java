package io.kdstream.core.config;

import static io.kdstream.core.config.Key.Reader.AUDIT;
import static io.kdstream.core.config.Key.Reader.AUGMENTER;
import static io.kdstream.core.config.Key.Reader.DATASET;
import static io.kdstream.core.config.Key.Reader.LOADER;
import static io.kdstream.core.config.Key.Reader.STUDENT;
import static io.kdstream.core.config.Key.Reader.TEACHER;
import static io.kdstream.core.config.Key.Type.BOOLEAN;
import static io.kdstream.core.config.Key.Type.CHOICE;
import static io.kdstream.core.config.Key.Type.INTEGER;
import static io.kdstream.core.config.Key.Type.LIST;
import static io.kdstream.core.config.Key.Type.NUMBER;
import static io.kdstream.core.config.Key.Type.PATH;
import static io.kdstream.core.config.Key.Type.TEXT;

/** The catalogue's settings of the data path: dataset, pipeline, loader, augmenter, views and rendering. */
public final class DataKeys {
    public static final Key DATASET_KIND = Key.of("dataset.kind", CHOICE, "idx",
            "`idx` (MNIST, Fashion-MNIST), `cifar10`, `cifar100`, `folder` (one sub-folder per class)",
            LOADER, STUDENT, DATASET);
    public static final Key DATASET_PATH = Key.ruled("dataset.path", PATH,
            "Debian's Fashion-MNIST (/usr/share/datasets/fashion-mnist) for idx",
            "the dataset directory", LOADER, STUDENT, DATASET);
    public static final Key DATASET_LABELED = Key.of("dataset.labeled", BOOLEAN, "true",
            "folder: `false` reads every image under the root with label -1 (out-of-domain distillation)",
            LOADER, STUDENT, DATASET);
    public static final Key DATASET_CHANNELS = Key.of("dataset.channels", INTEGER, "3",
            "folder: decode to 1 (grey) or 3 (RGB) channels", LOADER, STUDENT, DATASET);
    public static final Key DATASET_CLASSES = Key.of("dataset.classes", INTEGER, "10",
            "classes of idx and unlabeled folder data", LOADER, STUDENT, DATASET);
    public static final Key DATASET_MAX_SIDE = Key.of("dataset.max-side", INTEGER, "4096",
            "folder images with a larger side are dead-lettered", LOADER, STUDENT, DATASET);
    public static final Key DATASET_LIMIT = Key.of("dataset.limit", INTEGER, "0",
            "use only the first N training images (0 = all)", LOADER, STUDENT, DATASET);
    public static final Key DATASET_TEST_LIMIT = Key.of("dataset.test-limit", INTEGER, "0",
            "evaluate on the first N test images only (0 = all)", LOADER, STUDENT, DATASET);
    public static final Key DATASET_EVAL_PATH = Key.ruled("dataset.eval-path", PATH, "the dataset's own test split",
            "a labelled dataset of the same kind the student is evaluated on (an image folder itself, else its test "
                    + "split): top-1 for unlabelled or out-of-domain training data", STUDENT);
    public static final Key DATASET_SOURCE = Key.ruled("dataset.source", PATH, "none (required)",
            "`dataset prepare`: the folder or archive to copy from", DATASET);
    public static final Key DATASET_TARGET = Key.ruled("dataset.target", PATH, "`dataset.path`",
            "`dataset prepare`: where the copy goes", DATASET);
    public static final Key DATASET_VERIFY = Key.of("dataset.verify", BOOLEAN, "false",
            "`dataset prepare`: also decode every image and fail naming those that do not decode (before a run with "
                    + "`loader.ship=reference`)", DATASET);

    public static final Key PIPELINE_EPOCHS = Key.of("pipeline.epochs", INTEGER, "1",
            "passes over the data; 0 = forever", LOADER, STUDENT);
    public static final Key PIPELINE_BATCH_SIZE = Key.of("pipeline.batch-size", INTEGER, "128",
            "images per augmented batch", LOADER, AUGMENTER, STUDENT);
    public static final Key PIPELINE_SEED = Key.of("pipeline.seed", INTEGER, "42",
            "seeds shuffling, crops, flips and mixing (the data stream is reproducible) and, unless `student.seed` is "
                    + "set, the student's initial weights", LOADER, AUGMENTER, STUDENT);
    public static final Key PIPELINE_RUN = Key.ruled("pipeline.run", TEXT, "none",
            "the run id: topics and groups `<kafka.topic-prefix><run>.*`, the student's files in "
                    + "`<student.out>/<run>`; `@FILE` reads it from a file", LOADER, AUGMENTER, TEACHER, STUDENT, AUDIT);

    public static final Key LOADER_SHIP = Key.of("loader.ship", CHOICE, "decoded",
            "what a SAMPLE carries: `decoded` pixels; for image folders `encoded` files, decoded by the augmenter, "
                    + "or `reference`: the file's name, rendered by the teacher and the student, who must see the "
                    + "loader's path (docs/PERFORMANCE.md)", LOADER);
    public static final Key LOADER_MAX_AHEAD_BATCHES = Key.of("loader.max-ahead-batches", INTEGER, "32",
            "the loader stays at most this many batches ahead of the committed offsets of the groups it feeds",
            LOADER);
    public static final Key LOADER_FEEDS = Key.ruled("loader.feeds", LIST, "the augmenter's group",
            "consumer groups the loader stays ahead of", LOADER);
    public static final Key LOADER_MAX_IN_FLIGHT = Key.of("loader.max-in-flight", INTEGER, "1024",
            "records sent but not yet acknowledged", LOADER);

    public static final Key AUGMENTER_THREADS = Key.ruled("augmenter.threads", INTEGER, "one per core",
            "batches augmented in parallel", AUGMENTER);
    public static final Key AUGMENTER_FEEDS = Key.ruled("augmenter.feeds", LIST,
            "the teacher's group (the student's when `student.mode` is `supervised` or `dlb`)",
            "consumer groups of the augmented topic the augmenter stays ahead of", AUGMENTER);
    public static final Key AUGMENTER_MAX_AHEAD_BATCHES = Key.of("augmenter.max-ahead-batches", INTEGER, "16",
            "how many batches the augmenter may run ahead of those groups' committed offsets", AUGMENTER);

    public static final Key TEACHER_FEEDS = Key.ruled("teacher.feeds", LIST, "the student's group",
            "consumer groups of the annotated topic the teacher service stays ahead of", Key.Reader.TEACHER);
    public static final Key TEACHER_MAX_AHEAD_BATCHES = Key.of("teacher.max-ahead-batches", INTEGER, "16",
            "how many batches each teacher replica may run ahead of those groups' committed offsets",
            Key.Reader.TEACHER);

    public static final Key VIEW_TEACHER_SIZE = Key.of("view.teacher-size", INTEGER, "28",
            "side of the teacher's view in pixels", AUGMENTER, STUDENT);
    public static final Key VIEW_STUDENT_SIZE = Key.ruled("view.student-size", INTEGER, "`view.teacher-size`",
            "side of the student's view; both come from the same crop box", AUGMENTER, STUDENT);

    public static final Key AUGMENT_CROP_SCALE_MIN = Key.of("augment.crop-scale-min", NUMBER, "0.08",
            "smallest area fraction of the inception crop", AUGMENTER);
    public static final Key AUGMENT_CROP_SCALE_MAX = Key.of("augment.crop-scale-max", NUMBER, "1",
            "largest area fraction of the inception crop", AUGMENTER);
    public static final Key AUGMENT_CROP_RATIO_MIN = Key.of("augment.crop-ratio-min", NUMBER, "0.75",
            "smallest aspect ratio of the crop (drawn log-uniform)", AUGMENTER);
    public static final Key AUGMENT_CROP_RATIO_MAX = Key.of("augment.crop-ratio-max", NUMBER, "1.3333333333333333",
            "largest aspect ratio of the crop", AUGMENTER);
    public static final Key AUGMENT_FLIP = Key.of("augment.flip", BOOLEAN, "true", "random horizontal flip",
            AUGMENTER);
    public static final Key AUGMENT_MIX = Key.of("augment.mix", CHOICE, "mixup",
            "`none`, `mixup`, `cutmix`, `switch` (cutmix with `augment.switch-prob`, else mixup)", AUGMENTER);
    public static final Key AUGMENT_MIXUP_ALPHA = Key.of("augment.mixup-alpha", NUMBER, "1",
            "mixup's lambda ~ Beta(alpha, alpha)", AUGMENTER);
    public static final Key AUGMENT_MIXUP_MAX_LAMBDA = Key.of("augment.mixup-max-lambda", BOOLEAN, "true",
            "lambda = max(lambda, 1 - lambda): the first image dominates", AUGMENTER);
    public static final Key AUGMENT_CUTMIX_ALPHA = Key.of("augment.cutmix-alpha", NUMBER, "1",
            "cutmix's lambda ~ Beta(alpha, alpha)", AUGMENTER);
    public static final Key AUGMENT_SWITCH_PROB = Key.of("augment.switch-prob", NUMBER, "0.5",
            "`switch`: the probability of cutmix for a batch", AUGMENTER);
    public static final Key AUGMENT_MIX_PROB = Key.of("augment.mix-prob", NUMBER, "1",
            "the probability that a batch is mixed at all", AUGMENTER);
    public static final Key AUGMENT_TEACHER_VIEW = Key.of("augment.teacher-view", CHOICE, "consistent",
            "ablations: `independent` (the teacher labels another crop, mixed the same way), `fixed` (the "
                    + "teacher's prediction on the whole image, once per image, probabilities mixed)", AUGMENTER);
    public static final Key AUGMENT_VIEW_ENCODING = Key.of("augment.view-encoding", CHOICE, "uint8",
            "how views travel: `uint8` (rounded once by the augmenter, so teacher and student still see identical "
                    + "pixels), `float16` or `float32` (docs/WIRE.md)", AUGMENTER);
    public static final Key AUGMENT_DLB = Key.of("augment.dlb", BOOLEAN, "false",
            "DLB batches: half new samples, half the partition's previous batch's new samples, freshly augmented",
            AUGMENTER);

    public static final Key RENDER_THREADS = Key.ruled("render.threads", INTEGER, "one per core",
            "with `loader.ship=reference`: threads of the teacher and the student that decode and render views",
            TEACHER, STUDENT);

    private DataKeys() {
    }
}
