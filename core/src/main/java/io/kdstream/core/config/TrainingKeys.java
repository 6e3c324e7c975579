package io.kdstream.core.config;

import static io.kdstream.core.config.Key.Reader.STUDENT;
import static io.kdstream.core.config.Key.Reader.TEACHER;
import static io.kdstream.core.config.Key.Type.BOOLEAN;
import static io.kdstream.core.config.Key.Type.CHOICE;
import static io.kdstream.core.config.Key.Type.INTEGER;
import static io.kdstream.core.config.Key.Type.LIST;
import static io.kdstream.core.config.Key.Type.NUMBER;
import static io.kdstream.core.config.Key.Type.PATH;
import static io.kdstream.core.config.Key.Type.TEXT;

/** The catalogue's settings of the teacher service and the student trainer. */
public final class TrainingKeys {
    public static final Key TEACHER_MODEL = Key.ruled("teacher.model", PATH, "none (required)",
            "a kdstream model directory, or a TorchScript `.pt` file", TEACHER);
    public static final Key TEACHER_FORMAT = Key.of("teacher.format", CHOICE, "auto",
            "`kdstream`, `torchscript`, or `auto` (a directory is kdstream, a file TorchScript)", TEACHER);
    public static final Key TEACHER_ID = Key.ruled("teacher.id", TEXT, "the model's name",
            "the teacher's name, written on every annotated batch", TEACHER);
    public static final Key TEACHER_VERSION = Key.ruled("teacher.version", TEXT, "the model's `info.version`, or 1",
            "the teacher's version, written on every annotated batch", TEACHER);
    public static final Key TEACHER_CLASSES = Key.of("teacher.classes", INTEGER, "10",
            "TorchScript teachers (served, or `student.eval-teacher`): classes of their output", TEACHER, STUDENT);
    public static final Key TEACHER_CHANNELS = Key.of("teacher.channels", INTEGER, "1",
            "TorchScript teachers: channels of their input", TEACHER, STUDENT);
    public static final Key TEACHER_SIZE = Key.of("teacher.size", INTEGER, "28",
            "TorchScript teachers: side of their input", TEACHER, STUDENT);
    public static final Key TEACHER_MEAN = Key.ruled("teacher.mean", LIST, "0.286 per channel",
            "TorchScript teachers: the per-channel mean they normalise by (one value or one per channel)", TEACHER, STUDENT);
    public static final Key TEACHER_STD = Key.ruled("teacher.std", LIST, "0.353 per channel",
            "TorchScript teachers: the per-channel standard deviation", TEACHER, STUDENT);
    public static final Key TEACHER_LAYOUT = Key.of("teacher.layout", CHOICE, "nchw",
            "TorchScript teachers: `nchw` or `nhwc` input", TEACHER, STUDENT);
    public static final Key TEACHER_LOGITS = Key.of("teacher.logits", CHOICE, "float32",
            "`float16` halves the logits on the wire", TEACHER);
    public static final Key TEACHER_DEVICE = Key.of("teacher.device", TEXT, "auto",
            "`auto` (the first GPU the engine sees, else the CPU), `cpu`, `gpu`, `gpu:N`", TEACHER);
    public static final Key TEACHER_MODEL_ROOT = Key.ruled("teacher.model-root", PATH,
            "the directory holding `teacher.model`",
            "every model, at start-up and in a live swap, must lie inside it (symbolic links followed)", TEACHER);
    public static final Key TEACHER_ENSEMBLE = Key.of("teacher.ensemble", LIST, "",
            "more teachers whose probabilities are averaged with `teacher.model`'s", TEACHER);
    public static final Key TEACHER_ENSEMBLE_WEIGHTS = Key.ruled("teacher.ensemble-weights", LIST, "equal",
            "one weight per ensemble member, `teacher.model` first", TEACHER);

    public static final Key STUDENT_MODE = Key.of("student.mode", CHOICE, "distill",
            "`distill` (from annotated batches), `supervised` (mixed hard labels, no teacher: the baseline, and how "
                    + "teachers are trained), `dlb` (self-distillation from the last mini-batch, with `augment.dlb`); the "
                    + "augmenter stays ahead of the stage it names", STUDENT, Key.Reader.AUGMENTER);
    public static final Key STUDENT_ARCH = Key.of("student.arch", CHOICE, "cnn",
            "the student network: `cnn`, `resnet`, `mobilenet` (docs/RECIPES.md)", STUDENT);
    public static final Key STUDENT_WIDTH = Key.of("student.width", INTEGER, "8", "channels of the first stage",
            STUDENT);
    public static final Key STUDENT_DEPTH = Key.of("student.depth", INTEGER, "1", "blocks per stage", STUDENT);
    public static final Key STUDENT_SIZE = Key.ruled("student.size", INTEGER, "`view.student-size`",
            "side of the student's input", STUDENT);
    public static final Key STUDENT_MEAN = Key.ruled("student.mean", LIST,
            "Fashion-MNIST's (grey), 0.5 per channel (colour)", "the per-channel mean the student normalises by",
            STUDENT);
    public static final Key STUDENT_STD = Key.ruled("student.std", LIST,
            "Fashion-MNIST's (grey), 0.25 per channel (colour)", "the per-channel standard deviation", STUDENT);
    public static final Key STUDENT_TWEAKS = Key.of("student.tweaks", LIST, "",
            "`b`, `c`, `d`, `zero-gamma` for `resnet` and `mobilenet`", STUDENT);
    public static final Key STUDENT_SEED = Key.ruled("student.seed", INTEGER, "`pipeline.seed`",
            "seeds the student's initial weights, so arms that share it differ only in what they test", STUDENT);
    public static final Key STUDENT_TEMPERATURE = Key.ruled("student.temperature", NUMBER, "1 (dlb: 3)",
            "KD temperature T", STUDENT);
    public static final Key STUDENT_CE_WEIGHT = Key.of("student.ce-weight", NUMBER, "1",
            "loss = w_ce CE(z_s, y) + w_kd T^2 KL(p_t, p_s); 0 = KD only", STUDENT);
    public static final Key STUDENT_KD_WEIGHT = Key.ruled("student.kd-weight", NUMBER, "5 (dlb: 1, supervised: 0)",
            "weight of the KD term", STUDENT);
    public static final Key STUDENT_LR = Key.of("student.lr", NUMBER, "2e-3", "AdamW's peak learning rate",
            STUDENT);
    public static final Key STUDENT_LR_PER_256 = Key.ruled("student.lr-per-256", NUMBER, "none",
            "linear scaling: learning rate = this x batch / 256 (replaces `student.lr`)", STUDENT);
    public static final Key STUDENT_WARMUP_EPOCHS = Key.ruled("student.warmup-epochs", NUMBER, "min(1, epochs / 5)",
            "linear warm-up, then cosine decay to 0 at the last step", STUDENT);
    public static final Key STUDENT_WEIGHT_DECAY = Key.of("student.weight-decay", NUMBER, "0.01",
            "decoupled weight decay", STUDENT);
    public static final Key STUDENT_NO_BIAS_DECAY = Key.of("student.no-bias-decay", BOOLEAN, "true",
            "no weight decay on biases and norm parameters", STUDENT);
    public static final Key STUDENT_CLIP_NORM = Key.of("student.clip-norm", NUMBER, "0",
            "global gradient-norm clipping; 0 = off", STUDENT);
    public static final Key STUDENT_LABEL_SMOOTHING = Key.of("student.label-smoothing", NUMBER, "0",
            "epsilon of label smoothing on the CE targets", STUDENT);
    public static final Key STUDENT_CHECKPOINT_EVERY_STEPS = Key.of("student.checkpoint-every-steps", INTEGER, "0",
            "also checkpoint every N steps within an epoch (0 = at epoch ends only); a resumed run continues at the "
                    + "same step, learning-rate position and optimizer moments", STUDENT);
    public static final Key STUDENT_CHECKPOINT_EVERY_MINUTES = Key.of("student.checkpoint-every-minutes", NUMBER,
            "0", "also checkpoint every T minutes within an epoch (0 = off): what a kill loses at most", STUDENT);
    public static final Key STUDENT_DIVERGENCE_RATIO = Key.of("student.divergence-ratio", NUMBER, "3",
            "the loss has diverged when its mean over 10 steps exceeds this multiple of its mean over the 200 "
                    + "before (after 100 steps), or is not finite; 0 checks finiteness only", STUDENT);
    public static final Key STUDENT_ON_DIVERGENCE = Key.of("student.on-divergence", CHOICE, "stop",
            "a diverged loss: `stop` (the trainer fails naming the step, the loss and the last checkpoint to resume "
                    + "from with a lower `student.lr`) or `warn` (logged, counted in kds_student_divergences)",
            STUDENT);
    public static final Key STUDENT_OUT = Key.of("student.out", PATH, "runs/student",
            "checkpoints, the final model and the run summary", STUDENT, Key.Reader.AUDIT);
    public static final Key STUDENT_RESUME = Key.of("student.resume", BOOLEAN, "true",
            "continue from the newest checkpoint in `student.out`", STUDENT);
    public static final Key STUDENT_EVAL_TEACHER = Key.ruled("student.eval-teacher", PATH, "none",
            "a teacher to compare with at each evaluation (top-1, agreement, KL)", STUDENT);
    public static final Key STUDENT_EVAL_EVERY = Key.of("student.eval-every", INTEGER, "1",
            "evaluate and checkpoint every N epochs", STUDENT);
    public static final Key STUDENT_DEVICE = Key.of("student.device", TEXT, "auto",
            "`auto`, `cpu`, `gpu`, `gpu:N`, or several for data-parallel training (`gpu:0,gpu:1`, `gpus`)", STUDENT);
    public static final Key STUDENT_EXPECT_TEACHERS = Key.of("student.expect-teachers", LIST, "",
            "`id` or `id@version` entries: the teachers whose batches the student trains on (empty: any)", STUDENT);
    public static final Key STUDENT_UNEXPECTED_TEACHER = Key.of("student.unexpected-teacher", CHOICE, "dead-letter",
            "a batch from another teacher: `dead-letter` (counted, not trained), `train` (trained, logged, counted), "
                    + "`fail` (stop naming it)", STUDENT);
    public static final Key STUDENT_TEACHER_WEIGHTS = Key.of("student.teacher-weights", LIST, "",
            "`id=weight,...`: the student weighs an ensemble's members itself", STUDENT);

    private TrainingKeys() {
    }
}
