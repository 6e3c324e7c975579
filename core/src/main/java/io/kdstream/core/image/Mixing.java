package io.kdstream.core.image;

/**
 * The pixel arithmetic of mixup and cutmix on NHWC float batches, image by image ({@link #mixupImage},
 * {@link #cutmixImage}) or for a whole batch: shared by the augmenter, which renders views from pixels, and the
 * teacher and student, which render them from view records (the mixed targets are
 * {@code AugmentedBatch.mixedTargets}).
 */
public final class Mixing {
    private Mixing() {
    }

    /** view_i = lambda * x_i + (1 - lambda) * x_partner(i), into a new array. */
    public static float[] mixup(float[] batch, int n, int[] partners, float lambda) {
        int size = batch.length / n;
        float[] out = new float[batch.length];
        for (int i = 0; i < n; i++) {
            mixupImage(batch, out, i, size, partners[i], lambda);
        }
        return out;
    }

    /** Image {@code i} of {@code size} floats: dst_i = lambda * src_i + (1 - lambda) * src_partner. */
    public static void mixupImage(float[] src, float[] dst, int i, int size, int partner, float lambda) {
        int a = i * size;
        int b = partner * size;
        float other = 1 - lambda;
        for (int p = 0; p < size; p++) {
            dst[a + p] = lambda * src[a + p] + other * src[b + p];
        }
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
        float[] src = batch.clone();
        for (int i = 0; i < n; i++) {
            cutmixImage(src, batch, i, h, w, c, partners[i], box);
        }
        return keptFraction(box, h, w);
    }

    /**
     * Image {@code i} of h x w x c floats: src_i with the partner's pixels inside the box pasted over it, into dst
     * ({@code src} must not be {@code dst}: the partner is read from it).
     */
    public static void cutmixImage(float[] src, float[] dst, int i, int h, int w, int c, int partner, float[] box) {
        int size = h * w * c;
        int a = i * size;
        int b = partner * size;
        System.arraycopy(src, a, dst, a, size);
        int[] r = rasterize(box, h, w);
        int len = (r[3] - r[1]) * c;
        for (int y = r[0]; y < r[2]; y++) {
            int from = (y * w + r[1]) * c;
            System.arraycopy(src, b + from, dst, a + from, len);
        }
    }

    /** The fraction of an h x w view that keeps its own pixels under the cutmix box: the batch's lambda. */
    public static float keptFraction(float[] box, int h, int w) {
        int[] r = rasterize(box, h, w);
        return 1f - (float) ((r[2] - r[0]) * (r[3] - r[1])) / (h * w);
    }
}
