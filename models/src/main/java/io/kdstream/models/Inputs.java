package io.kdstream.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kdstream.core.image.Resampler;
import io.kdstream.core.wire.View;

/**
 * Turns a wire {@link View} (NHWC floats on the 0..255 scale) into a model input: resized to the model's side when
 * it differs, scaled to 0..1, normalised per channel, NCHW. One pass in Java, one NDArray.
 */
public final class Inputs {
    private Inputs() {
    }

    /** The normalised NCHW pixels of a view for a model. */
    public static float[] nchw(View v, ModelSpec spec) {
        if (v.channels() != spec.channels()) {
            throw new IllegalArgumentException("view has " + v.channels() + " channel(s) but the model ("
                    + spec.describe() + ") takes " + spec.channels());
        }
        int n = v.count();
        int c = v.channels();
        int s = spec.size();
        float[] px = v.pixels();
        if (v.height() != s || v.width() != s) {
            px = Resampler.resize(px, n, v.height(), v.width(), c, s, s);
        }
        float[] out = new float[px.length];
        int plane = s * s;
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = 1f / (255f * spec.std()[ch]);
            shift[ch] = spec.mean()[ch] / spec.std()[ch];
        }
        for (int i = 0; i < n; i++) {
            int base = i * plane * c;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < c; ch++) {
                    out[base + ch * plane + p] = px[base + p * c + ch] * scale[ch] - shift[ch];
                }
            }
        }
        return out;
    }

    /** The model input for a view, attached to {@code manager}. */
    public static NDArray toInput(NDManager manager, View v, ModelSpec spec) {
        return manager.create(nchw(v, spec), new Shape(v.count(), spec.channels(), spec.size(), spec.size()));
    }
}
