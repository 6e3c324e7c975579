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
     * View {@code i} of a batch mixed the way the batch says and rounded as {@link ViewEncoding#round}, into
     * {@code dst}: one image at a time, so the images of a batch can be done in parallel. {@code dst} may be
     * {@code crops} itself only when the batch is not mixed (a mixed image reads its partner's unmixed crop).
     *
     * @param crops the unmixed views of the whole batch, read only
     */
    public static void mixOne(float[] crops, float[] dst, int i, int size, int channels, MixMode mode, int[] partners,
                              float mixupLambda, float[] cutBox, ViewEncoding encoding) {
        int per = size * size * channels;
        switch (mode) {
            case MIXUP -> Mixing.mixupImage(crops, dst, i, per, partners[i], mixupLambda);
            case CUTMIX -> Mixing.cutmixImage(crops, dst, i, size, size, channels, partners[i], cutBox);
            default -> {
                if (dst != crops) {
                    System.arraycopy(crops, i * per, dst, i * per, per);
                }
            }
        }
        encoding.round(dst, i * per, (i + 1) * per);
    }

    /**
     * The N views of side {@code size}, mixed the way the batch says and rounded to {@code encoding}: {@link #mixOne}
     * for every image.
     *
     * @return the views: {@code crops} itself (rounded in place) when the batch is not mixed, else a new array
     */
    public static float[] mixAll(float[] crops, int n, int size, int channels, MixMode mode, int[] partners,
                                 float mixupLambda, float[] cutBox, ViewEncoding encoding) {
        float[] views = mode == MixMode.NONE ? crops : new float[crops.length];
        for (int i = 0; i < n; i++) {
            mixOne(crops, views, i, size, channels, mode, partners, mixupLambda, cutBox, encoding);
        }
        return views;
    }
}
