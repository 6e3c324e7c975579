package io.kdstream.core.wire;

/** A record that does not follow docs/WIRE.md. Consumers send such records to the dead-letter topic. */
public class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem and the fix. */
    public WireFormatException(String message) {
        super(message);
    }
}
