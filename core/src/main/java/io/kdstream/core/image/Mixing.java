package io.kdstream.core.image;

/**
 * The pixel arithmetic of mixup and cutmix on NHWC float batches, and the mixed targets: shared by the augmenter,
 * which renders views from pixels, and the teacher and student, which render them from view records.
 */
public final class Mixing {
    private Mixing() {
    }

    /** view_i = lambda * x_i + (1 - lambda) * x_partner(i), into a new array. */
    public static float[] mixup(float[] batch, int n, int[] partners, float lambda) {
        int size = batch.length / n;
        float[] out = new float[batch.length];
        float other = 1 - lambda;
        for (int i = 0; i < n; i++) {
            int a = i * size;
            int b = partners[i] * size;
            for (int p = 0; p < size; p++) {
                out[a + p] = lambda * batch[a + p] + other * batch[b + p];
            }
        }
        return out;
    }

    /**
     * The pixel rectangle of a normalized box {top, left, bottom, right} on an h x w view: rows [y0, y1), columns
     * [x0, x1).
     */
    public static int[] rasterize(float[] box, int h, int w) {
        int y0 = Math.round(box[0] * h);
        int x0 = Math.round(box[1] * w);
        int y1 = Math.round(box[2] * h);
        int x1 = Math.round(box[3] * w);
        return new int[] {y0, x0, Math.max(y0, y1), Math.max(x0, x1)};
    }

    /**
     * Pastes the partner's pixels inside the box into each image, in place (reading from an unmodified copy).
     *
     * @return the fraction of each image that kept its own pixels
     */
    public static float cutmix(float[] batch, int n, int h, int w, int c, int[] partners, float[] box) {
        int[] r = rasterize(box, h, w);
        float[] src = batch.clone();
        int size = h * w * c;
        for (int i = 0; i < n; i++) {
            int a = i * size;
            int b = partners[i] * size;
            for (int y = r[0]; y < r[2]; y++) {
                int from = (y * w + r[1]) * c;
                int len = (r[3] - r[1]) * c;
                System.arraycopy(src, b + from, batch, a + from, len);
            }
        }
        return keptFraction(box, h, w);
    }

    /** The fraction of an h x w view that keeps its own pixels under the cutmix box: the batch's lambda. */
    public static float keptFraction(float[] box, int h, int w) {
        int[] r = rasterize(box, h, w);
        return 1f - (float) ((r[2] - r[0]) * (r[3] - r[1])) / (h * w);
    }

    /** lambda_i * onehot(y_i) + (1 - lambda_i) * onehot(y_partner), skipping unlabeled (-1) samples. */
    public static float[] targets(int[] labels, int[] partners, float[] lambdas, int k) {
        return io.kdstream.core.wire.AugmentedBatch.mixedTargets(labels, partners, lambdas, k);
    }
}
