package io.kdstream.core.image;

import io.kdstream.core.wire.ImageU8;

/**
 * Crops, optionally mirrors and resizes a uint8 HWC image to float32 HWC with a separable triangle (bilinear)
 * filter whose support widens with the shrink factor, so downscaling is antialiased (as PIL's and torchvision's
 * {@code antialias=True} bilinear resize); upscaling is plain bilinear with half-pixel centres. Output values stay on
 * the 0..255 scale, unrounded.
 */
public final class Resampler {
    private Resampler() {
    }

    /** Filter taps of one output coordinate. */
    private record Taps(int[] start, float[][] weights) {
    }

    private static Taps taps(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // triangle filter support 1, stretched when shrinking
        int[] start = new int[outSize];
        float[][] weights = new float[outSize][];
        for (int i = 0; i < outSize; i++) {
            double center = (i + 0.5) * scale;
            int min = Math.max(0, (int) Math.floor(center - support + 0.5));
            int max = Math.min(inSize, (int) Math.floor(center + support + 0.5));
            double[] w = new double[Math.max(1, max - min)];
            double sum = 0;
            for (int j = 0; j < w.length; j++) {
                double x = (min + j - center + 0.5) / filterScale;
                w[j] = Math.max(0, 1 - Math.abs(x));
                sum += w[j];
            }
            float[] wf = new float[w.length];
            for (int j = 0; j < w.length; j++) {
                wf[j] = (float) (sum > 0 ? w[j] / sum : (j == 0 ? 1 : 0));
            }
            start[i] = min;
            weights[i] = wf;
        }
        return new Taps(start, weights);
    }

    /**
     * Resizes a batch of float NHWC images to {@code outH x outW} with the same filter (used when a stage's model
     * wants another resolution than the view it received).
     */
    public static float[] resize(float[] src, int n, int h, int w, int c, int outH, int outW) {
        Taps tx = taps(w, outW);
        Taps ty = taps(h, outH);
        float[] dst = new float[n * outH * outW * c];
        float[] rows = new float[h * outW * c];
        int rowLen = outW * c;
        for (int i = 0; i < n; i++) {
            int base = i * h * w * c;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < outW; x++) {
                    int sx = tx.start()[x];
                    float[] wt = tx.weights()[x];
                    for (int ch = 0; ch < c; ch++) {
                        float acc = 0;
                        for (int j = 0; j < wt.length; j++) {
                            acc += wt[j] * src[base + (y * w + sx + j) * c + ch];
                        }
                        rows[(y * outW + x) * c + ch] = acc;
                    }
                }
            }
            int out = i * outH * rowLen;
            for (int y = 0; y < outH; y++) {
                int sy = ty.start()[y];
                float[] wt = ty.weights()[y];
                for (int k = 0; k < rowLen; k++) {
                    float acc = 0;
                    for (int j = 0; j < wt.length; j++) {
                        acc += wt[j] * rows[(sy + j) * rowLen + k];
                    }
                    dst[out + y * rowLen + k] = acc;
                }
            }
        }
        return dst;
    }

    /**
     * Resizes the crop {@code box} of {@code src} to {@code outH x outW}, mirrored left-right when {@code flip}, and
     * writes it at {@code dst[offset ...]} in HWC order.
     */
    public static void cropResize(ImageU8 src, CropBox box, boolean flip, int outH, int outW, float[] dst, int offset) {
        if (!box.inside(src.height(), src.width())) {
            throw new IllegalArgumentException("crop box " + box + " outside image " + src.height() + "x" + src.width());
        }
        int c = src.channels();
        Taps tx = taps(box.width(), outW);
        Taps ty = taps(box.height(), outH);
        byte[] px = src.pixels();
        int srcW = src.width();
        int rowLen = outW * c;
        float[] rows = new float[box.height() * rowLen];
        for (int y = 0; y < box.height(); y++) {
            int rowBase = ((box.top() + y) * srcW + box.left()) * c;
            if (c == 3) {
                horizontalRgb(px, rowBase, tx, flip, outW, rows, y * rowLen);
            } else {
                horizontal(px, rowBase, c, tx, flip, outW, rows, y * rowLen);
            }
        }
        // each output row: the weighted sum of its source rows, tap by tap, so the inner loop runs along a row
        // (the same sums in the same order as one accumulator per value, hence the same floats)
        for (int y = 0; y < outH; y++) {
            int sy = ty.start()[y];
            float[] w = ty.weights()[y];
            int out = offset + y * rowLen;
            float w0 = w[0];
            int r0 = sy * rowLen;
            for (int i = 0; i < rowLen; i++) {
                dst[out + i] = 0f + w0 * rows[r0 + i];
            }
            for (int j = 1; j < w.length; j++) {
                float wj = w[j];
                int rj = (sy + j) * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    dst[out + i] += wj * rows[rj + i];
                }
            }
        }
    }

    /** One source row resized horizontally, any channel count. */
    private static void horizontal(byte[] px, int rowBase, int c, Taps tx, boolean flip, int outW, float[] rows,
                                   int rowOut) {
        for (int x = 0; x < outW; x++) {
            int sx = tx.start()[x];
            float[] w = tx.weights()[x];
            int out = rowOut + (flip ? outW - 1 - x : x) * c;
            for (int ch = 0; ch < c; ch++) {
                float acc = 0;
                for (int j = 0; j < w.length; j++) {
                    acc += w[j] * (px[rowBase + (sx + j) * c + ch] & 0xff);
                }
                rows[out + ch] = acc;
            }
        }
    }

    /** The same for 3 channels, all three summed in one pass over the taps. */
    private static void horizontalRgb(byte[] px, int rowBase, Taps tx, boolean flip, int outW, float[] rows,
                                      int rowOut) {
        for (int x = 0; x < outW; x++) {
            int p = rowBase + tx.start()[x] * 3;
            float[] w = tx.weights()[x];
            float r = 0;
            float g = 0;
            float b = 0;
            for (int j = 0; j < w.length; j++, p += 3) {
                float wj = w[j];
                r += wj * (px[p] & 0xff);
                g += wj * (px[p + 1] & 0xff);
                b += wj * (px[p + 2] & 0xff);
            }
            int out = rowOut + (flip ? outW - 1 - x : x) * 3;
            rows[out] = r;
            rows[out + 1] = g;
            rows[out + 2] = b;
        }
    }
}
