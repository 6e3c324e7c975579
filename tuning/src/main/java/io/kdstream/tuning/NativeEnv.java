package io.kdstream.tuning;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's C environment, which native libraries (libgomp, oneDNN) read when PyTorch loads; {@link System#getenv}
 * is a copy taken at JVM start and does not see what is set here.
 */
final class NativeEnv {
    private static final Logger LOG = LoggerFactory.getLogger(NativeEnv.class);

    private NativeEnv() {
    }

    /**
     * Sets a variable; where the C library cannot be reached, logs a warning naming the setting that asked for it
     * and what happens instead.
     *
     * @param key       the kdstream setting that chose the value
     * @param otherwise what the native library does without the variable
     */
    static void set(String key, String name, String value, String otherwise) {
        try {
            LibC.INSTANCE.setenv(name, value, 1);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("{}: cannot set {}={} in the process's environment ({}); {}", key, name, value, e.toString(),
                    otherwise);
        }
    }

    /** A variable as the C environment holds it now, or null. */
    static String get(String name) {
        try {
            return LibC.INSTANCE.getenv(name);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
