package io.kdstream.models;

import io.kdstream.core.wire.View;

/** Anything that maps a batch of views to logits: a kdstream network, a TorchScript teacher, an ensemble. */
public interface LogitsFunction {
    /** N*K logits, row-major. */
    float[] logits(View view);

    /** K. */
    int classes();

    /** The side of the view it wants; other sizes are resized. */
    int inputSize();
}
