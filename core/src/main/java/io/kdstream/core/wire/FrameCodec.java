package io.kdstream.core.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes and decodes {@link Frame}s in the binary layout of docs/WIRE.md, version {@value #VERSION}. All integers
 * and tensor bytes are little-endian.
 */
public final class FrameCodec {
    /** The four magic bytes "KDST". */
    public static final int MAGIC = 0x5453444B; // 'K','D','S','T' read as a little-endian int
    /** The wire version this code writes and reads. */
    public static final int VERSION = 1;
    /** Bytes of the fixed header. */
    public static final int HEADER_BYTES = 32;

    private static final int PROP_LONG = 1;
    private static final int PROP_DOUBLE = 2;
    private static final int PROP_STRING = 3;

    private FrameCodec() {
    }

    /** Encodes a frame into a fresh array. */
    public static byte[] encode(Frame f) {
        byte[][] keys = new byte[f.properties().size()][];
        byte[][] strings = new byte[f.properties().size()][];
        int size = HEADER_BYTES + 2;
        int i = 0;
        for (Map.Entry<String, Object> e : f.properties().entrySet()) {
            keys[i] = ascii(e.getKey(), "property key");
            size += 1 + keys[i].length + 1;
            if (e.getValue() instanceof String s) {
                strings[i] = s.getBytes(StandardCharsets.UTF_8);
                size += 4 + strings[i].length;
            } else {
                size += 8;
            }
            i++;
        }
        size += 2;
        for (Tensor t : f.tensors().values()) {
            size += 1 + t.name().length() + 1 + 1 + 4 * t.rank() + 4 + t.byteSize();
        }
        if (f.properties().size() > 0xffff || f.tensors().size() > 0xffff) {
            throw new IllegalArgumentException("at most 65535 properties and tensors per record");
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putShort((short) VERSION).put((byte) f.kind().code()).put((byte) 0);
        b.putInt(f.epoch()).putInt(f.partition()).putLong(f.id()).putLong(f.createdAtMs());
        b.putShort((short) f.properties().size());
        i = 0;
        for (Map.Entry<String, Object> e : f.properties().entrySet()) {
            b.put((byte) keys[i].length).put(keys[i]);
            Object v = e.getValue();
            if (v instanceof Long l) {
                b.put((byte) PROP_LONG).putLong(l);
            } else if (v instanceof Double d) {
                b.put((byte) PROP_DOUBLE).putDouble(d);
            } else {
                b.put((byte) PROP_STRING).putInt(strings[i].length).put(strings[i]);
            }
            i++;
        }
        b.putShort((short) f.tensors().size());
        for (Tensor t : f.tensors().values()) {
            byte[] name = ascii(t.name(), "tensor name");
            b.put((byte) name.length).put(name).put((byte) t.dtype().code()).put((byte) t.rank());
            for (int d : t.shape()) {
                b.putInt(d);
            }
            b.putInt(t.byteSize());
            b.put(t.data());
        }
        return b.array();
    }

    /**
     * Decodes a record value. Tensors are zero-copy views of {@code bytes}.
     *
     * @throws WireFormatException naming what is wrong when the bytes are not a valid version-1 record
     */
    public static Frame decode(byte[] bytes) {
        if (bytes == null) {
            throw new WireFormatException("record has a null value; kdstream records always carry a value");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (bytes.length < HEADER_BYTES + 4) {
                throw new WireFormatException("record of " + bytes.length + " bytes is shorter than the "
                        + (HEADER_BYTES + 4) + "-byte minimum; it was not written by kdstream");
            }
            int magic = b.getInt();
            if (magic != MAGIC) {
                throw new WireFormatException(String.format("record starts with 0x%08x, not the magic 'KDST'; it was "
                        + "not written by kdstream (wrong topic or foreign producer)", Integer.reverseBytes(magic)));
            }
            int version = Short.toUnsignedInt(b.getShort());
            if (version != VERSION) {
                throw new WireFormatException("record has wire version " + version + " but this build reads version "
                        + VERSION + "; run the same kdstream version on every stage");
            }
            RecordKind kind = RecordKind.ofCode(Byte.toUnsignedInt(b.get()));
            b.get(); // flags, reserved
            int epoch = b.getInt();
            int partition = b.getInt();
            long id = b.getLong();
            long createdAt = b.getLong();
            int propCount = Short.toUnsignedInt(b.getShort());
            Map<String, Object> props = new LinkedHashMap<>();
            for (int i = 0; i < propCount; i++) {
                String key = readAscii(b);
                int type = Byte.toUnsignedInt(b.get());
                Object v = switch (type) {
                    case PROP_LONG -> b.getLong();
                    case PROP_DOUBLE -> b.getDouble();
                    case PROP_STRING -> {
                        int len = b.getInt();
                        checkLength(len, b, "property '" + key + "'");
                        byte[] s = new byte[len];
                        b.get(s);
                        yield new String(s, StandardCharsets.UTF_8);
                    }
                    default -> throw new WireFormatException("property '" + key + "' has unknown type " + type);
                };
                props.put(key, v);
            }
            int tensorCount = Short.toUnsignedInt(b.getShort());
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < tensorCount; i++) {
                String name = readAscii(b);
                DType dtype = DType.ofCode(Byte.toUnsignedInt(b.get()));
                int rank = Byte.toUnsignedInt(b.get());
                int[] shape = new int[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = b.getInt();
                }
                int len = b.getInt();
                checkLength(len, b, "tensor '" + name + "'");
                ByteBuffer data = b.slice(b.position(), len);
                b.position(b.position() + len);
                tensors.put(name, Tensor.wrap(name, dtype, shape, data));
            }
            if (b.hasRemaining()) {
                throw new WireFormatException("record has " + b.remaining() + " trailing bytes after its last tensor");
            }
            return new Frame(kind, epoch, partition, id, createdAt, props, tensors);
        } catch (BufferUnderflowException e) {
            throw new WireFormatException("record of " + bytes.length + " bytes is truncated at byte " + b.position());
        }
    }

    private static void checkLength(int len, ByteBuffer b, String what) {
        if (len < 0 || len > b.remaining()) {
            throw new WireFormatException(what + " declares " + Integer.toUnsignedString(len) + " bytes but only "
                    + b.remaining() + " remain; the record is truncated or corrupt");
        }
    }

    private static String readAscii(ByteBuffer b) {
        int len = Byte.toUnsignedInt(b.get());
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String s, String what) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length > 255) {
            throw new IllegalArgumentException(what + " '" + s + "' must be 1..255 ASCII characters");
        }
        return bytes;
    }
}
