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
    /** Gauge: the epoch a stage is working on. Tag: stage. */
    public static final String STAGE_EPOCH = "kds.stage.epoch";

    /** Tag key: the pipeline stage (loader, augmenter, teacher, student). */
    public static final String TAG_STAGE = "stage";

    private MetricNames() {
    }
}
