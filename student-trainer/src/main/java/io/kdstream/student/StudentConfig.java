package io.kdstream.student;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.RunId;
import io.kdstream.core.config.Settings;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.models.Architecture;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.TorchScriptModel;
import io.kdstream.student.train.LrSchedule;
import io.kdstream.student.train.StudentLoop;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The student trainer's settings.
 *
 * @param mode            {@code student.mode}: distill (from annotated batches) or supervised (from augmented
 *                        batches, no teacher: the baseline, and how kdstream trains teachers)
 * @param spec            {@code student.arch|width|depth|size|mean|std}
 * @param options         {@code student.temperature}, {@code student.ce-weight}, {@code student.kd-weight},
 *                        {@code student.lr} (or {@code student.lr-per-256}, scaled by the batch),
 *                        {@code student.warmup-epochs}, {@code student.weight-decay}, {@code student.no-bias-decay},
 *                        {@code student.clip-norm}, {@code student.label-smoothing}
 * @param dataset         {@code dataset.*}: the test split for evaluation, and the training split's size
 * @param epochs          {@code pipeline.epochs}
 * @param batchSize       {@code pipeline.batch-size}
 * @param out             {@code student.out}: where checkpoints and the final model go; its sub-directory named
 *                        by the run id when {@code pipeline.run} is set ({@link RunId})
 * @param resume          {@code student.resume}: continue from the last checkpoint in {@code out} when there is one
 * @param evalTeacher     {@code student.eval-teacher}: a teacher to compare with at evaluation (a kdstream model
 *                        directory, or a TorchScript file described by {@code teacher.*}), optional
 * @param device          {@code student.device}: auto, cpu, gpu, gpu:N, or several for data-parallel training: a
 *                        comma list ({@code gpu:0,gpu:1}) or {@code gpus} (every GPU the engine sees)
 * @param evalEvery       {@code student.eval-every}: evaluate and checkpoint every N epochs
 * @param teachers        {@code student.expect-teachers}, {@code student.unexpected-teacher}: which teachers'
 *                        batches to train on
 * @param divergence      {@code student.divergence-ratio}, {@code student.on-divergence}
 * @param checkpointing   {@code student.checkpoint-every-steps}, {@code student.checkpoint-every-minutes}
 * @param replay          {@code student.record}, {@code student.replay}
 */
public record StudentConfig(Mode mode, ModelSpec spec, StudentLoop.Options options, DatasetSpec dataset, int epochs,
                            int batchSize, Path out, boolean resume, Optional<EvalTeacher> evalTeacher, String device,
                            int evalEvery, TeacherPolicy teachers, Divergence divergence, Checkpointing checkpointing,
                            Replay replay) {
    /**
     * Recording what the student trains on, or training on a recording instead of the broker.
     *
     * @param record {@code student.record}: the file to write the recording to
     * @param from   {@code student.replay}: the recording to train on (no broker, no teacher)
     */
    public record Replay(Optional<Path> record, Optional<Path> from) {
        /** Neither. */
        public static final Replay NONE = new Replay(Optional.empty(), Optional.empty());

        public Replay {
            if (record.isPresent() && from.isPresent()) {
                throw new ConfigException("settings student.record and student.replay do not go together: a replay "
                        + "trains on a recording as it is; give one of them");
            }
        }
    }

    /** A config that neither records nor replays. */
    public StudentConfig(Mode mode, ModelSpec spec, StudentLoop.Options options, DatasetSpec dataset, int epochs,
                         int batchSize, Path out, boolean resume, Optional<EvalTeacher> evalTeacher, String device,
                         int evalEvery, TeacherPolicy teachers, Divergence divergence, Checkpointing checkpointing) {
        this(mode, spec, options, dataset, epochs, batchSize, out, resume, evalTeacher, device, evalEvery, teachers,
                divergence, checkpointing, Replay.NONE);
    }

    /** A copy with another {@link Replay}. */
    public StudentConfig with(Replay r) {
        return new StudentConfig(mode, spec, options, dataset, epochs, batchSize, out, resume, evalTeacher, device,
                evalEvery, teachers, divergence, checkpointing, r);
    }

    /**
     * When the trainer checkpoints between epoch ends (it always does at each one): every {@code steps} steps or
     * every {@code minutes}, whichever comes first; 0 turns either off.
     *
     * @param steps   {@code student.checkpoint-every-steps}
     * @param minutes {@code student.checkpoint-every-minutes}
     */
    public record Checkpointing(long steps, double minutes) {
        /** Only at epoch ends. */
        public static final Checkpointing EPOCH_ENDS = new Checkpointing(0, 0);

        public Checkpointing {
            ConfigException.require(steps >= 0, "student.checkpoint-every-steps", steps, "must be >= 0 (0 = off)");
            ConfigException.require(minutes >= 0, "student.checkpoint-every-minutes", minutes,
                    "must be >= 0 (0 = off)");
        }

        /** Whether a checkpoint is due {@code steps} steps and {@code nanos} after the last one. */
        public boolean due(long stepsSince, long nanosSince) {
            return steps > 0 && stepsSince >= steps || minutes > 0 && nanosSince >= minutes * 60e9;
        }
    }

    /**
     * What counts as a diverged run and what the trainer does then.
     *
     * @param ratio          {@code student.divergence-ratio}
     * @param top1Drop       {@code student.divergence-top1-drop}
     * @param action         {@code student.on-divergence}
     * @param rollbackLrScale {@code student.rollback-lr-scale}
     * @param maxRollbacks   {@code student.max-rollbacks}
     */
    public record Divergence(double ratio, double top1Drop, DivergenceGuard.Action action, double rollbackLrScale,
                             int maxRollbacks) {
        public Divergence {
            ConfigException.require(ratio == 0 || ratio > 1, "student.divergence-ratio", ratio,
                    "must be > 1 (or 0 to check only that the loss is finite)");
            ConfigException.require(top1Drop >= 0 && top1Drop < 1, "student.divergence-top1-drop", top1Drop,
                    "must be a fraction in [0, 1) (0.2 = 20 points; 0 = off)");
            ConfigException.require(rollbackLrScale > 0 && rollbackLrScale <= 1, "student.rollback-lr-scale",
                    rollbackLrScale, "must be in (0, 1] (1 keeps the learning rate)");
            ConfigException.require(maxRollbacks >= 0, "student.max-rollbacks", maxRollbacks, "must be >= 0");
        }

        /** A guard on the loss only, with no roll-back (tests). */
        public Divergence(double ratio, DivergenceGuard.Action action) {
            this(ratio, 0, action, 1, 0);
        }

        public static final Divergence DEFAULT = new Divergence(3, DivergenceGuard.Action.STOP);
    }

    /** A config with the default divergence check. */
    public StudentConfig(Mode mode, ModelSpec spec, StudentLoop.Options options, DatasetSpec dataset, int epochs,
                         int batchSize, Path out, boolean resume, Optional<EvalTeacher> evalTeacher, String device,
                         int evalEvery, TeacherPolicy teachers) {
        this(mode, spec, options, dataset, epochs, batchSize, out, resume, evalTeacher, device, evalEvery, teachers,
                Divergence.DEFAULT, Checkpointing.EPOCH_ENDS);
    }

    /** Where the student's targets come from. */
    public enum Mode {
        /** Teacher logits from the annotated topic. */
        DISTILL,
        /** Mixed hard labels from the augmented topic. */
        SUPERVISED,
        /**
         * Self-distillation from the last mini-batch (DLB): augmented batches whose first half repeats the previous
         * batch's second half (augment.dlb), CE on the labels plus KD towards the student's own predictions on those
         * samples one step earlier. No teacher.
         */
        DLB
    }

    /**
     * The teacher a student is compared with at each evaluation.
     *
     * @param path  a kdstream model directory or a TorchScript file
     * @param input what a TorchScript file takes ({@code teacher.classes|channels|size|mean|std|layout})
     */
    public record EvalTeacher(Path path, TorchScriptModel.Input input) {
    }

    public StudentConfig {
        ConfigException.require(evalEvery >= 1, "student.eval-every", evalEvery, "must be >= 1");
    }

    /** The default student: a small CNN (width 8, depth 1) for 28 px Fashion-MNIST. */
    public static ModelSpec defaultSpec(int size) {
        return new ModelSpec(Architecture.CNN, 8, 1, 10, 1, size, ModelSpec.FASHION_MEAN, ModelSpec.FASHION_STD);
    }

    /**
     * Reads the settings. The learning-rate schedule needs the number of steps: batches per epoch come from the
     * training split's size and the partition count, as the augmenter cuts them.
     *
     * @param trainSize  images in the training split
     * @param classes    classes of the data
     * @param channels   channels of the data
     * @param partitions {@code kafka.partitions}
     */
    public static StudentConfig from(Settings s, int trainSize, int classes, int channels, int partitions) {
        Mode mode = s.choice(Keys.STUDENT_MODE, Mode.class);
        int viewSize = s.integer(Keys.VIEW_STUDENT_SIZE, s.integer(Keys.VIEW_TEACHER_SIZE));
        ModelSpec defaults = defaultSpec(viewSize);
        ModelSpec spec = ModelSpec.from(s, ModelSpec.KeySet.STUDENT, classes, channels, defaults.forData(classes, channels,
                channels == 1 ? defaults.mean() : new float[] {0.5f, 0.5f, 0.5f},
                channels == 1 ? defaults.std() : new float[] {0.25f, 0.25f, 0.25f}));
        int epochs = s.integer(Keys.PIPELINE_EPOCHS);
        int batch = s.integer(Keys.PIPELINE_BATCH_SIZE);
        float t = (float) s.real(Keys.STUDENT_TEMPERATURE, mode == Mode.DLB ? 3.0 : 1.0);
        float wce = (float) s.real(Keys.STUDENT_CE_WEIGHT);
        float wkd = (float) s.real(Keys.STUDENT_KD_WEIGHT, switch (mode) {
            case SUPERVISED -> 0;
            case DLB -> 1.0;
            case DISTILL -> 5.0;
        });
        double lr = s.real(Keys.STUDENT_LR);
        if (!s.string(Keys.STUDENT_LR_PER_256, "").isBlank()) { // Bag of Tricks' linear scaling: base * batch / 256
            double base = s.real(Keys.STUDENT_LR_PER_256, 0);
            ConfigException.require(base > 0, "student.lr-per-256", base, "must be > 0");
            lr = linearScaling(base, batch);
        }
        float smoothing = (float) s.real(Keys.STUDENT_LABEL_SMOOTHING);
        ConfigException.require(smoothing >= 0 && smoothing < 1, "student.label-smoothing", smoothing,
                "must be in [0, 1)");
        // a run with no end (pipeline.epochs=0) warms up over one epoch, then decays as 1/sqrt(step) (LrSchedule)
        double warmupEpochs = s.real(Keys.STUDENT_WARMUP_EPOCHS, epochs == 0 ? 1.0 : Math.min(1.0, epochs / 5.0));
        float wd = (float) s.real(Keys.STUDENT_WEIGHT_DECAY);
        float clip = (float) s.real(Keys.STUDENT_CLIP_NORM);
        ConfigException.require(t > 0, "student.temperature", t, "must be > 0");
        ConfigException.require(wce >= 0 && wkd >= 0 && wce + wkd > 0, "student.ce-weight", wce + "/" + wkd,
                "weights must be >= 0 and not both 0 (student.ce-weight, student.kd-weight)");
        ConfigException.require(mode == Mode.DISTILL || wce > 0, "student.ce-weight", wce, "must be > 0 in "
                + mode.name().toLowerCase(java.util.Locale.ROOT) + " mode: without a teacher the CE term carries the "
                + "labels");
        ConfigException.require(lr > 0, "student.lr", lr, "must be > 0");
        ConfigException.require(warmupEpochs >= 0, "student.warmup-epochs", warmupEpochs, "must be >= 0");
        ConfigException.require(wd >= 0, "student.weight-decay", wd, "must be >= 0");
        ConfigException.require(clip >= 0, "student.clip-norm", clip, "must be >= 0 (0 = off)");
        String device = s.string(Keys.STUDENT_DEVICE);
        ConfigException.require(device.trim().toLowerCase(java.util.Locale.ROOT)
                        .matches("gpus|(auto|cpu|gpu|gpu:\\d+)(,(auto|cpu|gpu|gpu:\\d+))*"), "student.device", device,
                "must be auto, cpu, gpu, gpu:N, a comma list of those for data-parallel training (gpu:0,gpu:1) or gpus");
        // DLB batches carry batch / 2 new samples each (the other half repeats the previous batch): twice the steps
        long perEpoch = batchesPerEpoch(trainSize, partitions, mode == Mode.DLB ? Math.max(1, batch / 2) : batch);
        LrSchedule schedule = new LrSchedule(lr, Math.round(warmupEpochs * perEpoch), epochs == 0 ? 0 : epochs * perEpoch,
                0);
        StudentLoop.Options options = new StudentLoop.Options(t, wce, mode == Mode.SUPERVISED ? 0 : wkd, schedule, wd,
                s.bool(Keys.STUDENT_NO_BIAS_DECAY), clip, smoothing,
                s.longValue(Keys.STUDENT_SEED, s.longValue(Keys.PIPELINE_SEED)));
        return new StudentConfig(mode, spec, options, DatasetSpec.from(s), epochs, batch,
                outDir(s), s.bool(Keys.STUDENT_RESUME),
                s.path(Keys.STUDENT_EVAL_TEACHER).map(p -> new EvalTeacher(p, TorchScriptModel.Input.from(s))),
                device, s.integer(Keys.STUDENT_EVAL_EVERY),
                TeacherPolicy.from(s), new Divergence(s.real(Keys.STUDENT_DIVERGENCE_RATIO),
                s.real(Keys.STUDENT_DIVERGENCE_TOP1_DROP), s.choice(Keys.STUDENT_ON_DIVERGENCE,
                DivergenceGuard.Action.class), s.real(Keys.STUDENT_ROLLBACK_LR_SCALE),
                s.integer(Keys.STUDENT_MAX_ROLLBACKS)),
                new Checkpointing(s.longValue(Keys.STUDENT_CHECKPOINT_EVERY_STEPS),
                        s.real(Keys.STUDENT_CHECKPOINT_EVERY_MINUTES)),
                new Replay(s.path(Keys.STUDENT_RECORD), s.path(Keys.STUDENT_REPLAY)));
    }

    /**
     * {@code student.out}, and inside it the run's own directory when {@code pipeline.run} names one: where a run's
     * checkpoints, final model and summary are (the trainer writes there, {@code kdstream audit} reads there).
     */
    public static Path outDir(Settings s) {
        Path base = s.path(Keys.STUDENT_OUT).orElseThrow();
        return RunId.from(s).map(base::resolve).orElse(base);
    }

    /** Bag of Tricks' linear learning-rate scaling: {@code base} for 256 images, proportionally for other batches. */
    public static double linearScaling(double base, int batch) {
        return base * batch / 256.0;
    }

    /** Batches per epoch when {@code size} images are spread round-robin over partitions and cut per partition. */
    public static long batchesPerEpoch(int size, int partitions, int batch) {
        long total = 0;
        for (int p = 0; p < partitions; p++) {
            long n = size / partitions + (p < size % partitions ? 1 : 0);
            total += (n + batch - 1) / batch;
        }
        return total;
    }
}
