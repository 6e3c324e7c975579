package io.kdstream.core.image;

import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.MixMode;

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
