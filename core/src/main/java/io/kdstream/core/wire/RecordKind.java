package io.kdstream.core.wire;

/** The kinds of kdstream records. The code is byte 6 of every record. */
public enum RecordKind {
    /** One decoded image, loader to augmenter. */
    SAMPLE(1),
    /** End of one epoch on one partition, forwarded by every stage. */
    EPOCH_END(2),
    /** A batch of augmented, mixed views with their targets, augmenter to teacher. */
    AUGMENTED_BATCH(3),
    /** An augmented batch plus the teacher's logits, teacher to student. */
    ANNOTATED_BATCH(4);

    private final int code;

    RecordKind(int code) {
        this.code = code;
    }

    /** The byte written at offset 6. */
    public int code() {
        return code;
    }

    /** Looks up a kind by its wire code. */
    public static RecordKind ofCode(int code) {
        for (RecordKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new WireFormatException("unknown record kind " + code + " (known: 1=SAMPLE, 2=EPOCH_END, "
                + "3=AUGMENTED_BATCH, 4=ANNOTATED_BATCH); upgrade this consumer or check the topic");
    }
}
