package io.kdstream.core.wire;

/**
 * A batch of images in NHWC order, pixel values on the 0..255 scale (mixing makes them fractional), held as floats
 * and carried on the wire in {@code encoding}.
 *
 * @param count    N
 * @param height   H
 * @param width    W
 * @param channels C
 * @param pixels   N*H*W*C floats, already representable in {@code encoding} (see {@link #encoded}); not copied
 * @param encoding how {@link #toTensor} writes the pixels
 */
public record View(int count, int height, int width, int channels, float[] pixels, ViewEncoding encoding) {
    public View {
        if ((long) count * height * width * channels != pixels.length) {
            throw new IllegalArgumentException("view " + count + "x" + height + "x" + width + "x" + channels
                    + " needs " + ((long) count * height * width * channels) + " floats, got " + pixels.length);
        }
        if (encoding == null) {
            throw new IllegalArgumentException("view encoding must be given");
        }
    }

    /** A float32 view. */
    public View(int count, int height, int width, int channels, float[] pixels) {
        this(count, height, width, channels, pixels, ViewEncoding.FLOAT32);
    }

    /** A view whose pixels are first rounded in place to what {@code encoding} carries. */
    public static View encoded(int count, int height, int width, int channels, float[] pixels, ViewEncoding encoding) {
        return new View(count, height, width, channels, encoding.round(pixels), encoding);
    }

    /** Floats per image. */
    public int imageSize() {
        return height * width * channels;
    }

    /** Pixel at image n, row y, column x, channel c. */
    public float at(int n, int y, int x, int c) {
        return pixels[((n * height + y) * width + x) * channels + c];
    }

    /** As a wire tensor of shape [N,H,W,C] in this view's encoding. */
    public Tensor toTensor(String name) {
        int[] shape = {count, height, width, channels};
        return switch (encoding) {
            case FLOAT32 -> Tensor.ofFloats(name, shape, pixels);
            case FLOAT16 -> Tensor.ofHalfs(name, shape, pixels);
            case UINT8 -> {
                byte[] b = new byte[pixels.length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (int) (pixels[i] + 0.5f); // whole values already (see encoded): no Math.round
                }
                yield Tensor.ofBytes(name, shape, b);
            }
        };
    }

    /** Reads a float32, float16 or uint8 [N,H,W,C] tensor. */
    public static View fromTensor(Tensor t) {
        if (t.rank() != 4 || (t.dtype() != DType.FLOAT32 && t.dtype() != DType.FLOAT16 && t.dtype() != DType.UINT8)) {
            throw new WireFormatException("tensor '" + t.name() + "' must be float32, float16 or uint8 [N,H,W,C], got "
                    + t);
        }
        ViewEncoding e = ViewEncoding.of(t.dtype());
        float[] pixels;
        if (e == ViewEncoding.UINT8) {
            byte[] b = t.toBytes();
            pixels = new float[b.length];
            for (int i = 0; i < b.length; i++) {
                pixels[i] = b[i] & 0xff;
            }
        } else {
            pixels = t.toFloats();
        }
        return new View(t.dim(0), t.dim(1), t.dim(2), t.dim(3), pixels, e);
    }
}
