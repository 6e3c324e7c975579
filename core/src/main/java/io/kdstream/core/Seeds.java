package io.kdstream.core;

/**
 * Derives independent, reproducible random seeds from a run seed and coordinates (epoch, sample id, ...), so every
 * random choice depends only on what it is about, never on thread timing or on which replica made it.
 */
public final class Seeds {
    private Seeds() {
    }

    /** A well-mixed 64-bit seed from any number of parts (SplitMix64 finaliser folded over the parts). */
    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = fmix(h ^ fmix(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
