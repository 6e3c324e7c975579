package io.kdstream.models;

import io.kdstream.core.wire.View;
import java.util.List;

/** Anything that maps a batch of views to logits: a kdstream network, a TorchScript teacher, an ensemble. */
public interface LogitsFunction {
    /** N*K logits, row-major. */
    float[] logits(View view);

    /** K. */
    int classes();

    /** The side of the view it wants; other sizes are resized. */
    int inputSize();

    /** What a teacher publishes for a batch: its logits and, for an ensemble, each member's. */
    default Prediction predict(View view) {
        return new Prediction(logits(view), List.of(), null);
    }

    /**
     * A batch's prediction.
     *
     * @param logits       N*K logits, row-major
     * @param members      an ensemble's member ids, in the order of {@code memberLogits}; empty for one model
     * @param memberLogits M*N*K logits, member-major, or null for one model
     */
    record Prediction(float[] logits, List<String> members, float[] memberLogits) {
        public Prediction {
            members = List.copyOf(members);
        }
    }
}
