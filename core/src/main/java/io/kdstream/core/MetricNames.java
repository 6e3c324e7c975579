package io.kdstream.core;

/**
 * Every meter name and tag key kdstream registers, declared once. Names are dotted, lower-case, in base units;
 * Prometheus renders {@code kds.stage.images} as {@code kds_stage_images_total}. Tags come from a small fixed set
 * and never carry sample or batch ids.
 */
public final class MetricNames {
    /** Counter: images a stage has fully processed and handed on. Tag: stage. */
    public static final String STAGE_IMAGES = "kds.stage.images";
    /** Counter: batches a stage has fully processed and handed on. Tag: stage. */
    public static final String STAGE_BATCHES = "kds.stage.batches";
    /** Counter: bytes a stage has written to Kafka. Tag: stage. */
    public static final String STAGE_BYTES = "kds.stage.bytes";
    /** Counter: inputs sent to the dead-letter topic. Tags: stage, reason. */
    public static final String DEAD_LETTERS = "kds.dead.letters";
    /** Counter: seconds a producer waited for its consumers to catch up. Tag: stage. */
    public static final String BACKPRESSURE_WAIT = "kds.backpressure.wait";
    /** Timer: processing time of one batch inside a stage. Tag: stage. */
    public static final String STAGE_BATCH_TIME = "kds.stage.batch.time";
    /**
     * Timer: how long a stage's compute thread (the teacher's forward, the student's training) sat idle waiting for
     * its next record, per record. {@code rate(..._sum)} is the share of the time the stage waited for input. Tag: stage.
     */
    public static final String STAGE_INPUT_WAIT = "kds.stage.input.wait";
    /** Gauge: records a stage has polled and not yet acknowledged (buffered or in flight). Tag: stage. */
    public static final String STAGE_QUEUE = "kds.stage.queue";
    /** Gauge: records on a topic that a consumer group has not committed yet. Tags: group, topic. */
    public static final String CONSUMER_LAG = "kds.consumer.lag";
    /** Gauge: the epoch a stage is working on. Tag: stage. */
    public static final String STAGE_EPOCH = "kds.stage.epoch";

    /** Timer: one teacher forward pass over a batch. Tags: teacher, version. */
    public static final String TEACHER_FORWARD = "kds.teacher.forward";
    /** Gauge: 1 for the teacher a teacher-service replica is running now. Tags: teacher, version. */
    public static final String TEACHER_ACTIVE = "kds.teacher.active";
    /** Counter: teacher swaps a replica has made. Tag: outcome (done, failed). */
    public static final String TEACHER_SWAPS = "kds.teacher.swaps";
    /** Timer: from the loader reading an image to the student training on it. */
    public static final String PIPELINE_LATENCY = "kds.pipeline.latency";
    /** Gauge: the student's last total loss; its parts under {@code kds.student.loss.ce} and {@code .kd}. */
    public static final String STUDENT_LOSS = "kds.student.loss";
    /** Gauge: the student's cross-entropy part. */
    public static final String STUDENT_LOSS_CE = "kds.student.loss.ce";
    /** Gauge: the student's distillation part. */
    public static final String STUDENT_LOSS_KD = "kds.student.loss.kd";
    /** Gauge: the learning rate of the last step. */
    public static final String STUDENT_LR = "kds.student.learning.rate";
    /** Gauge: the global L2 norm of the last step's gradients, before clipping ({@code student.clip-norm}). */
    public static final String STUDENT_GRAD_NORM = "kds.student.grad.norm";
    /** Counter: steps whose gradients were scaled down to {@code student.clip-norm}. */
    public static final String STUDENT_CLIPPED_STEPS = "kds.student.clipped.steps";
    /** Gauge: top-1 accuracy of the last evaluation. Tag: model (student, teacher). */
    public static final String EVAL_TOP1 = "kds.eval.top1";
    /** Gauge: student-teacher agreement of the last evaluation. */
    public static final String EVAL_AGREEMENT = "kds.eval.agreement";
    /** Counter: batches the student skipped because it had trained them already. */
    public static final String STUDENT_DUPLICATES = "kds.student.duplicates";
    /**
     * Counter: times the student's run diverged (its loss not finite, or far above its running mean; or its evaluation
     * top-1 far below its best).
     */
    public static final String STUDENT_DIVERGENCES = "kds.student.divergences";
    /** Counter: steps whose update the student skipped because their gradients were not finite. */
    public static final String STUDENT_SKIPPED_STEPS = "kds.student.skipped.steps";
    /** Counter: times the student rolled back to a checkpoint after a divergence. */
    public static final String STUDENT_ROLLBACKS = "kds.student.rollbacks";
    /** Entries the student keeps to skip batches trained already (bounded by the epochs in progress). */
    public static final String STUDENT_DEDUP_ENTRIES = "kds.student.dedup.entries";
    /** Counter: batches the student trained on, by teacher. Tags: teacher, version. */
    public static final String STUDENT_TEACHER_BATCHES = "kds.student.teacher.batches";

    /** Counter: batches from a teacher the student's policy does not expect. Tags: teacher, version, action. */
    public static final String STUDENT_UNEXPECTED_TEACHER = "kds.student.unexpected.teacher";

    /** Tag key: the pipeline stage (loader, augmenter, teacher, student). */
    public static final String TAG_STAGE = "stage";

    private MetricNames() {
    }
}
