package io.kdstream.core.kafka;

/**
 * Every topic kdstream uses, declared once. The full name is the run's topic prefix plus the suffix, so several
 * pipelines can share a cluster ({@code kds.samples}, {@code kds.augmented}, ...). Keys are UTF-8 strings, values are
 * records of docs/WIRE.md.
 */
public enum Topic {
    /** Decoded images, loader to augmenter: SAMPLE and EPOCH_END records, key {@code s<sampleId>}. */
    SAMPLES("samples", true),
    /** Augmented batches, augmenter to teacher: AUGMENTED_BATCH and EPOCH_END, key = batch id. */
    AUGMENTED("augmented", true),
    /** Annotated batches, teacher to student: ANNOTATED_BATCH and EPOCH_END, key = batch id. */
    ANNOTATED("annotated", true),
    /** Files and records that could not be processed, with the reason in headers (docs/WIRE.md). One partition. */
    DEAD_LETTER("dead-letter", false),
    /**
     * Orders to the run's services, kept: one partition, compacted, so the last order of each key stays and a
     * service that starts or restarts later reads it too. Key {@code teacher-swap}: which teacher every teacher
     * replica runs (docs/WIRE.md, "Control records").
     */
    CONTROL("control", false, true);

    private final String suffix;
    private final boolean partitioned;
    private final boolean compacted;

    Topic(String suffix, boolean partitioned) {
        this(suffix, partitioned, false);
    }

    Topic(String suffix, boolean partitioned, boolean compacted) {
        this.suffix = suffix;
        this.partitioned = partitioned;
        this.compacted = compacted;
    }

    /** Whether the broker keeps only the last record of each key (cleanup.policy=compact) instead of a time window. */
    public boolean compacted() {
        return compacted;
    }

    /** The full topic name under a prefix such as {@code kds.}. */
    public String fullName(String prefix) {
        return prefix + suffix;
    }

    /** Whether the topic has the pipeline's partition count (data topics) or a single partition. */
    public boolean partitioned() {
        return partitioned;
    }
}
