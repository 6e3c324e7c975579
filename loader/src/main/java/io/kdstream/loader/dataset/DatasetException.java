package io.kdstream.loader.dataset;

/** A dataset that cannot be used at all (missing, wrong format, truncated): the run stops before it starts. */
public class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the file and the fix. */
    public DatasetException(String message) {
        super(message);
    }

    /** Creates the exception with a cause. */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
