package io.kdstream.core.wire;

/**
 * A decoded image: uint8 pixels in height-width-channel order, channels 1 (grey) or 3 (RGB).
 *
 * @param height   rows
 * @param width    columns
 * @param channels 1 or 3
 * @param pixels   {@code height * width * channels} bytes, row-major HWC; not copied
 */
public record ImageU8(int height, int width, int channels, byte[] pixels) {
    public ImageU8 {
        if (height <= 0 || width <= 0 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("image must be HxWxC with H,W > 0 and C in {1,3}, got " + height + "x"
                    + width + "x" + channels);
        }
        if (pixels.length != height * width * channels) {
            throw new IllegalArgumentException("image " + height + "x" + width + "x" + channels + " needs "
                    + (height * width * channels) + " bytes, got " + pixels.length);
        }
    }

    /** Pixel value (0..255) at row y, column x, channel c. */
    public int at(int y, int x, int c) {
        return Byte.toUnsignedInt(pixels[(y * width + x) * channels + c]);
    }
}
