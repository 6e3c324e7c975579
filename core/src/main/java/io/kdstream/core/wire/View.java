package io.kdstream.core.wire;

/**
 * A batch of float32 images in NHWC order, pixel values on the 0..255 scale (mixing makes them fractional).
 *
 * @param count    N
 * @param height   H
 * @param width    W
 * @param channels C
 * @param pixels   N*H*W*C floats; not copied
 */
public record View(int count, int height, int width, int channels, float[] pixels) {
    public View {
        if ((long) count * height * width * channels != pixels.length) {
            throw new IllegalArgumentException("view " + count + "x" + height + "x" + width + "x" + channels
                    + " needs " + ((long) count * height * width * channels) + " floats, got " + pixels.length);
        }
    }

    /** Floats per image. */
    public int imageSize() {
        return height * width * channels;
    }

    /** Pixel at image n, row y, column x, channel c. */
    public float at(int n, int y, int x, int c) {
        return pixels[((n * height + y) * width + x) * channels + c];
    }

    /** As a wire tensor of shape [N,H,W,C]. */
    public Tensor toTensor(String name) {
        return Tensor.ofFloats(name, new int[] {count, height, width, channels}, pixels);
    }

    /** Reads a float32 [N,H,W,C] tensor. */
    public static View fromTensor(Tensor t) {
        if (t.dtype() != DType.FLOAT32 || t.rank() != 4) {
            throw new WireFormatException("tensor '" + t.name() + "' must be float32 [N,H,W,C], got " + t);
        }
        return new View(t.dim(0), t.dim(1), t.dim(2), t.dim(3), t.toFloats());
    }
}
