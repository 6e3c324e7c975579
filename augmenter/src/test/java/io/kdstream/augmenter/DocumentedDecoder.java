package io.kdstream.augmenter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A decoder written from docs/WIRE.md alone, as a third-party client would write it: it uses no kdstream class, so
 * the integration test checks the documented layout rather than the codec against itself.
 */
final class DocumentedDecoder {
    /** A decoded record. */
    record Decoded(int version, int kind, int epoch, int partition, long id, long createdAt,
                   Map<String, Object> props, Map<String, Tensor> tensors) {
    }

    /** A decoded tensor: dtype code, shape and raw little-endian bytes. */
    record Tensor(int dtype, int[] shape, ByteBuffer data) {
        float[] floats() {
            float[] f = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        }

        long[] longs() {
            long[] l = new long[data.remaining() / 8];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(l);
            return l;
        }

        long crc32c() {
            CRC32C c = new CRC32C();
            c.update(data.duplicate());
            return c.getValue();
        }
    }

    static Decoded decode(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(magic);
        if (!"KDST".equals(new String(magic, StandardCharsets.US_ASCII))) {
            throw new IllegalArgumentException("bad magic");
        }
        int version = Short.toUnsignedInt(b.getShort());
        int kind = Byte.toUnsignedInt(b.get());
        b.get(); // flags
        int epoch = b.getInt();
        int partition = b.getInt();
        long id = b.getLong();
        long createdAt = b.getLong();
        Map<String, Object> props = new LinkedHashMap<>();
        int np = Short.toUnsignedInt(b.getShort());
        for (int i = 0; i < np; i++) {
            byte[] key = new byte[Byte.toUnsignedInt(b.get())];
            b.get(key);
            int type = b.get();
            Object v = switch (type) {
                case 1 -> b.getLong();
                case 2 -> b.getDouble();
                case 3 -> {
                    byte[] s = new byte[b.getInt()];
                    b.get(s);
                    yield new String(s, StandardCharsets.UTF_8);
                }
                default -> throw new IllegalArgumentException("property type " + type);
            };
            props.put(new String(key, StandardCharsets.US_ASCII), v);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int nt = Short.toUnsignedInt(b.getShort());
        for (int i = 0; i < nt; i++) {
            byte[] name = new byte[Byte.toUnsignedInt(b.get())];
            b.get(name);
            int dtype = b.get();
            int[] shape = new int[Byte.toUnsignedInt(b.get())];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = b.getInt();
            }
            int len = b.getInt();
            ByteBuffer data = b.slice(b.position(), len).order(ByteOrder.LITTLE_ENDIAN);
            b.position(b.position() + len);
            tensors.put(new String(name, StandardCharsets.US_ASCII), new Tensor(dtype, shape, data));
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        return new Decoded(version, kind, epoch, partition, id, createdAt, props, tensors);
    }

    private DocumentedDecoder() {
    }
}
