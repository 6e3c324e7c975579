package io.kdstream.core.image;

import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.ViewEncoding;

/**
 * How a batch's views are made from its images: each image's crop box resized to the view's side (mirrored when
 * flipped), then the batch's mixing. The augmenter renders this way from pixels; the teacher and the student render
 * this way from view records, so all of them produce the same bytes.
 */
public final class ViewRendering {
    private ViewRendering() {
    }

    /**
     * Writes image {@code i}'s crop into {@code views} at image slot {@code i}.
     *
     * @param boxes N*4 boxes (top, left, height, width)
     * @param flips 1 where mirrored
     */
    public static void crop(ImageU8 image, int i, int[] boxes, byte[] flips, int size, float[] views) {
        CropBox box = new CropBox(boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3]);
        Resampler.cropResize(image, box, flips[i] != 0, size, size, views, i * size * size * image.channels());
    }

    /** As {@link #crop}, from an image decoded only inside its crop box ({@link ImageDecoder#decodeRegion}). */
    public static void cropDecoded(ImageU8 region, int i, byte[] flips, int size, float[] views) {
        Resampler.cropResize(region, new CropBox(0, 0, region.height(), region.width()), flips[i] != 0, size, size,
                views, i * size * size * region.channels());
    }

    /**
     * View {@code i} of a batch mixed as {@link #mix} would mix it, and rounded as {@link ViewEncoding#round}, into
     * {@code dst} (which may be {@code crops} itself when the batch is not mixed): the same floats, one image at a
     * time, so the images of a batch can be done in parallel.
     *
     * @param crops the unmixed views of the whole batch, read only
     */
    public static void mixOne(float[] crops, float[] dst, int i, int size, int channels, MixMode mode, int[] partners,
                              float mixupLambda, float[] cutBox, ViewEncoding encoding) {
        int per = size * size * channels;
        int a = i * per;
        int b = partners[i] * per;
        switch (mode) {
            case MIXUP -> {
                float other = 1 - mixupLambda;
                for (int p = 0; p < per; p++) {
                    dst[a + p] = mixupLambda * crops[a + p] + other * crops[b + p];
                }
            }
            case CUTMIX -> {
                System.arraycopy(crops, a, dst, a, per);
                int[] r = Mixing.rasterize(cutBox, size, size);
                int len = (r[3] - r[1]) * channels;
                for (int y = r[0]; y < r[2]; y++) {
                    int from = (y * size + r[1]) * channels;
                    System.arraycopy(crops, b + from, dst, a + from, len);
                }
            }
            default -> {
                if (dst != crops) {
                    System.arraycopy(crops, a, dst, a, per);
                }
            }
        }
        encoding.round(dst, a, a + per);
    }

    /**
     * Mixes N views of side {@code size} the way the batch says.
     *
     * @return the mixed views: a new array for mixup, {@code views} itself (changed in place) otherwise
     */
    public static float[] mix(float[] views, int n, int size, int channels, MixMode mode, int[] partners,
                              float mixupLambda, float[] cutBox) {
        return switch (mode) {
            case MIXUP -> Mixing.mixup(views, n, partners, mixupLambda);
            case CUTMIX -> {
                Mixing.cutmix(views, n, size, size, channels, partners, cutBox);
                yield views;
            }
            default -> views;
        };
    }
}
