package io.kdstream.core.kafka;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps a producer at most {@code maxLag} records ahead of the slowest group it feeds. {@link #acquire()} blocks the
 * caller (a stage's own thread, never a Reactor shared one) while the measured lag is at the limit. Between
 * measurements it counts records it let through, so the lag is probed at most every {@code probeInterval} while
 * there is headroom.
 */
public final class LagThrottle {
    private final LongSupplier lagProbe;
    private final long maxLag;
    private final long probeIntervalNanos;
    private long knownLag;
    private long sinceProbe;
    private long lastProbeNanos;
    private long waitedNanos;

    /**
     * @param lagProbe      measures the current lag in records
     * @param maxLag        records the producer may be ahead; {@code Long.MAX_VALUE} disables throttling
     * @param probeInterval the shortest time between two probes
     */
    public LagThrottle(LongSupplier lagProbe, long maxLag, Duration probeInterval) {
        if (maxLag < 1) {
            throw new IllegalArgumentException("maxLag must be >= 1, got " + maxLag);
        }
        this.lagProbe = lagProbe;
        this.maxLag = maxLag;
        this.probeIntervalNanos = probeInterval.toNanos();
        this.lastProbeNanos = System.nanoTime() - probeIntervalNanos;
    }

    /** Blocks until one more record may be produced. */
    public void acquire() throws InterruptedException {
        if (maxLag == Long.MAX_VALUE) {
            return;
        }
        long started = 0;
        while (knownLag + sinceProbe + 1 > maxLag) {
            long now = System.nanoTime();
            long due = lastProbeNanos + probeIntervalNanos;
            if (now < due) {
                if (started == 0) {
                    started = now;
                }
                Thread.sleep(Math.max(1, (due - now) / 1_000_000));
                continue;
            }
            knownLag = lagProbe.getAsLong();
            sinceProbe = 0;
            lastProbeNanos = System.nanoTime();
        }
        if (started != 0) {
            waitedNanos += System.nanoTime() - started;
        }
        sinceProbe++;
    }

    /** Total time spent blocked in {@link #acquire()}. */
    public Duration waited() {
        return Duration.ofNanos(waitedNanos);
    }
}
