package io.kdstream.core.image;

/** Bytes that are not a decodable PNG or JPEG, or an image larger than allowed; the message says what and the fix. */
public class ImageDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and how to fix it; @param cause the underlying error, or null */
    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
