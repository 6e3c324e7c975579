package io.kdstream.core.image;

/** A batch of view records that cannot be rendered here; the message names the batch, the file and the fix. */
public final class RenderException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what failed and how to fix it */
    public RenderException(String message, Throwable cause) {
        super(message, cause);
    }
}
