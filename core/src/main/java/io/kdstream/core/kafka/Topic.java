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
    DEAD_LETTER("dead-letter", false);

    private final String suffix;
    private final boolean partitioned;

    Topic(String suffix, boolean partitioned) {
        this.suffix = suffix;
        this.partitioned = partitioned;
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
