package io.kdstream.core.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named, typed, shaped block of little-endian bytes: one entry of a record's tensor table.
 *
 * <p>Instances are immutable: the data buffer is a read-only little-endian view.
 */
public final class Tensor {
    private final String name;
    private final DType dtype;
    private final int[] shape;
    private final ByteBuffer data;

    private Tensor(String name, DType dtype, int[] shape, ByteBuffer data) {
        if (name.isEmpty() || name.length() > 255) {
            throw new IllegalArgumentException("tensor name must be 1..255 ASCII characters, got '" + name + "'");
        }
        if (shape.length > 255) {
            throw new IllegalArgumentException("tensor '" + name + "' has rank " + shape.length + " > 255");
        }
        long expected = (long) elementCount(shape) * dtype.size();
        if (expected != data.remaining()) {
            throw new WireFormatException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " and dtype "
                    + dtype + " needs " + expected + " bytes but has " + data.remaining());
        }
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Wraps already little-endian bytes (used by the decoder; no copy). */
    public static Tensor wrap(String name, DType dtype, int[] shape, ByteBuffer littleEndianData) {
        return new Tensor(name, dtype, shape, littleEndianData);
    }

    /** A uint8 tensor; the array is copied. */
    public static Tensor ofBytes(String name, int[] shape, byte[] values) {
        return new Tensor(name, DType.UINT8, shape, ByteBuffer.wrap(values.clone()));
    }

    /** An int32 tensor. */
    public static Tensor ofInts(String name, int[] shape, int[] values) {
        ByteBuffer b = allocate(values.length, DType.INT32);
        b.asIntBuffer().put(values);
        return new Tensor(name, DType.INT32, shape, b);
    }

    /** An int64 tensor. */
    public static Tensor ofLongs(String name, int[] shape, long[] values) {
        ByteBuffer b = allocate(values.length, DType.INT64);
        b.asLongBuffer().put(values);
        return new Tensor(name, DType.INT64, shape, b);
    }

    /** A float32 tensor. */
    public static Tensor ofFloats(String name, int[] shape, float[] values) {
        ByteBuffer b = allocate(values.length, DType.FLOAT32);
        b.asFloatBuffer().put(values);
        return new Tensor(name, DType.FLOAT32, shape, b);
    }

    /** A float16 (IEEE 754 half) tensor; values are rounded to nearest even. */
    public static Tensor ofHalfs(String name, int[] shape, float[] values) {
        ByteBuffer b = allocate(values.length, DType.FLOAT16);
        for (float v : values) {
            b.putShort(Half.fromFloat(v));
        }
        b.flip();
        return new Tensor(name, DType.FLOAT16, shape, b);
    }

    private static ByteBuffer allocate(int count, DType type) {
        return ByteBuffer.allocate(count * type.size()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements a shape holds. */
    public static int elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new WireFormatException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new WireFormatException("shape " + Arrays.toString(shape) + " holds more than 2^31-1 elements");
        }
        return (int) n;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code i}. */
    public int dim(int i) {
        return shape[i];
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int size() {
        return elementCount(shape);
    }

    /** Number of data bytes. */
    public int byteSize() {
        return data.remaining();
    }

    /** A fresh read-only little-endian view of the data. */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The elements as bytes; the tensor must be uint8. */
    public byte[] toBytes() {
        requireType(DType.UINT8);
        byte[] out = new byte[size()];
        data().get(out);
        return out;
    }

    /** The elements as ints; the tensor must be int32. */
    public int[] toInts() {
        requireType(DType.INT32);
        int[] out = new int[size()];
        data().asIntBuffer().get(out);
        return out;
    }

    /** The elements as longs; the tensor must be int64. */
    public long[] toLongs() {
        requireType(DType.INT64);
        long[] out = new long[size()];
        data().asLongBuffer().get(out);
        return out;
    }

    /** The elements as floats; float16 is widened. */
    public float[] toFloats() {
        float[] out = new float[size()];
        if (dtype == DType.FLOAT16) {
            ByteBuffer b = data();
            for (int i = 0; i < out.length; i++) {
                out[i] = Half.toFloat(b.getShort());
            }
            return out;
        }
        requireType(DType.FLOAT32);
        data().asFloatBuffer().get(out);
        return out;
    }

    /** Checks dtype and shape, naming the tensor in the error. */
    public Tensor require(DType type, int... expectedShape) {
        requireType(type);
        if (!Arrays.equals(shape, expectedShape)) {
            throw new WireFormatException("tensor '" + name + "' has shape " + Arrays.toString(shape) + ", expected "
                    + Arrays.toString(expectedShape));
        }
        return this;
    }

    private void requireType(DType type) {
        if (dtype != type) {
            throw new WireFormatException("tensor '" + name + "' has dtype " + dtype + ", expected " + type);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && data().equals(t.data());
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ":" + dtype + Arrays.toString(shape);
    }
}
