package io.kdstream.core.wire;

/**
 * How a view's pixels travel ({@code augment.view-encoding}): float32 (exact), float16 (half the bytes; 0..255
 * values keep 8 significant bits, so whole pixels up to 256 stay exact and mixed ones are off by at most 0.125) or
 * uint8 (a quarter of the bytes; mixed and resampled pixels are rounded to whole values). The augmenter rounds its
 * views to the encoding before anything else sees them, so teacher and student still see identical pixels and
 * every consumer decodes exactly the values that were checksummed.
 */
public enum ViewEncoding {
    /** 4 bytes a value, exact. */
    FLOAT32(DType.FLOAT32),
    /** 2 bytes a value. */
    FLOAT16(DType.FLOAT16),
    /** 1 byte a value, rounded to 0..255. */
    UINT8(DType.UINT8);

    private final DType dtype;

    ViewEncoding(DType dtype) {
        this.dtype = dtype;
    }

    /** The tensor type on the wire. */
    public DType dtype() {
        return dtype;
    }

    /** The encoding of a view tensor of this type. */
    public static ViewEncoding of(DType t) {
        for (ViewEncoding e : values()) {
            if (e.dtype == t) {
                return e;
            }
        }
        throw new WireFormatException("a view must be float32, float16 or uint8, got " + t);
    }

    /** Rounds {@code pixels} in place to the values this encoding carries, and returns them. */
    public float[] round(float[] pixels) {
        return round(pixels, 0, pixels.length);
    }

    /** Rounds {@code pixels[from..to)} in place to the values this encoding carries, and returns the array. */
    public float[] round(float[] pixels, int from, int to) {
        switch (this) {
            case FLOAT16 -> {
                for (int i = from; i < to; i++) {
                    pixels[i] = Half.toFloat(Half.fromFloat(pixels[i]));
                }
            }
            case UINT8 -> {
                for (int i = from; i < to; i++) {
                    pixels[i] = Math.round(Math.min(255f, Math.max(0f, pixels[i])));
                }
            }
            default -> {
            }
        }
        return pixels;
    }
}
