package io.kdstream.core.kafka;

import io.kdstream.core.MetricNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps a topic at most {@code maxLag} records ahead of the slowest group it feeds. The lag is (the topic's end
 * offsets at the last probe, or more when this producer let more through since) - committed offsets of the slowest
 * group, so this producer's records still in flight count as produced, and so do the records of other producers of
 * the same topic (replicas of a stage): each sees them at its next probe, and together they stay within the bound
 * plus what they let through in one probe interval. {@link #acquire()} blocks the caller (a stage's own thread,
 * never a Reactor shared one) while the lag is at the limit, probing the end and committed offsets at most every
 * {@code probeInterval}.
 */
public final class LagThrottle {
    private final LongSupplier endTotal;
    private final LongSupplier committedTotal;
    private final long maxLag;
    private final long probeIntervalNanos;
    private long produced = -1;
    private long committed;
    private long lastProbeNanos;
    private long waitedNanos;

    /**
     * @param endTotal       the sum of the topic's end offsets
     * @param committedTotal the slowest group's committed offsets summed over partitions
     * @param maxLag         records the producer may be ahead
     * @param probeInterval  the shortest time between two probes of the committed offsets
     */
    public LagThrottle(LongSupplier endTotal, LongSupplier committedTotal, long maxLag, Duration probeInterval) {
        if (maxLag < 1) {
            throw new IllegalArgumentException("maxLag must be >= 1, got " + maxLag);
        }
        this.endTotal = endTotal;
        this.committedTotal = committedTotal;
        this.maxLag = maxLag;
        this.probeIntervalNanos = probeInterval.toNanos();
    }

    /** A throttle over a probe's topic and groups. */
    public static LagThrottle of(LagProbe probe, long maxLag, Duration probeInterval) {
        return new LagThrottle(probe::endTotal, probe::slowestCommittedTotal, maxLag, probeInterval);
    }

    /** Blocks until one more record may be produced, then counts it as produced. */
    public void acquire() throws InterruptedException {
        if (produced < 0 || System.nanoTime() - lastProbeNanos >= probeIntervalNanos) {
            probe();
        }
        long started = 0;
        while (produced + 1 - committed > maxLag) {
            long now = System.nanoTime();
            if (started == 0) {
                started = now;
            }
            long due = lastProbeNanos + probeIntervalNanos;
            if (now < due) {
                Thread.sleep(Math.max(1, (due - now) / 1_000_000));
                continue;
            }
            probe();
        }
        if (started != 0) {
            waitedNanos += System.nanoTime() - started;
        }
        produced++;
    }

    /** Reads the committed offsets and the topic's end: another producer's records count too. */
    private void probe() {
        committed = committedTotal.getAsLong();
        produced = Math.max(produced, endTotal.getAsLong());
        lastProbeNanos = System.nanoTime();
    }

    /** Meters the time spent waiting as {@code kds.backpressure.wait{stage}}; returns this throttle. */
    public LagThrottle bindMetrics(MeterRegistry registry, String stage) {
        FunctionCounter.builder(MetricNames.BACKPRESSURE_WAIT, this, t -> t.waited().toNanos() / 1e9)
                .tag(MetricNames.TAG_STAGE, stage).baseUnit("seconds")
                .description("time spent waiting for consumers to catch up").register(registry);
        return this;
    }

    /** Total time spent blocked in {@link #acquire()}. */
    public Duration waited() {
        return Duration.ofNanos(waitedNanos);
    }
}
