package io.kdstream.core.wire;

/** Element types of tensors on the wire. The code is the byte written in the tensor table. */
public enum DType {
    UINT8(1, 1),
    INT32(2, 4),
    INT64(3, 8),
    FLOAT32(4, 4),
    FLOAT16(5, 2);

    private final int code;
    private final int size;

    DType(int code, int size) {
        this.code = code;
        this.size = size;
    }

    /** The byte that identifies this type on the wire. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Looks up a type by its wire code. */
    public static DType ofCode(int code) {
        for (DType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new WireFormatException("unknown dtype code " + code + " (known: 1=uint8, 2=int32, 3=int64, 4=float32, "
                + "5=float16); the record was written by a newer or foreign producer");
    }
}
