package io.kdstream.loader.dataset;

/** One image that cannot be read or decoded. The loader dead-letters it and goes on. */
public class BadImageException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final boolean unreadable;

    /**
     * @param source     the file (or file#index)
     * @param unreadable true when the file could not be read at all, false when it was read but is not an image
     * @param message    what is wrong and how to fix it
     * @param cause      the underlying error, or null
     */
    public BadImageException(String source, boolean unreadable, String message, Throwable cause) {
        super(source + ": " + message, cause);
        this.source = source;
        this.unreadable = unreadable;
    }

    public String source() {
        return source;
    }

    /** True for I/O failures, false for content that is not a decodable image. */
    public boolean unreadable() {
        return unreadable;
    }
}
