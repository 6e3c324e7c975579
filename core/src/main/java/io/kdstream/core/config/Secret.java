package io.kdstream.core.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A secret setting (an admin token, a password): never printed ({@link #toString()} is a mask, so records holding one
 * can be logged), compared in constant time.
 */
public final class Secret {
    private final byte[] digest;
    private final String value;

    private Secret(String value) {
        this.value = value;
        this.digest = sha256(value);
    }

    /** Wraps a value. */
    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value, for the one place that must pass it on (a client property). */
    public String reveal() {
        return value;
    }

    /**
     * Whether {@code candidate} equals the secret. Both sides are hashed first and the digests compared with
     * {@link MessageDigest#isEqual}, so the time taken says nothing about the secret, not even its length.
     */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "***";
    }
}
