package io.kdstream.core;

/**
 * Throughput in steady state: items per second from the end of the first unit of work to the end of the last, so
 * start-up (model loading, JIT warm-up, waiting for the first record) does not count. Thread-safe.
 */
public final class RateWindow {
    private long firstEndNanos;
    private long lastEndNanos;
    private long itemsAfterFirst;
    private boolean started;

    /** Records the end of a unit of {@code items} items now. */
    public synchronized void record(long items) {
        long now = System.nanoTime();
        if (!started) {
            started = true;
            firstEndNanos = now;
        } else {
            itemsAfterFirst += items;
        }
        lastEndNanos = now;
    }

    /** Items per second after the first unit, NaN before two units. */
    public synchronized double rate() {
        long span = lastEndNanos - firstEndNanos;
        return span > 0 ? itemsAfterFirst / (span / 1e9) : Double.NaN;
    }
}
