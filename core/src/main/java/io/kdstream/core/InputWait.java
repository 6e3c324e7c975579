package io.kdstream.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Where a single-threaded compute stage spends its time: working on a record ({@link #begin} to {@link #end}) or
 * idle between two records, waiting for input. Each wait goes to the timer {@code kds.stage.input.wait}; {@link
 * #share} is the fraction of the time from the end of the first record to the end of the last that was waiting.
 * A stage fed faster than it computes waits close to 0%; a share well above 0 says the data path (or an upstream
 * stage) is what holds it back. The first record's wait (start-up) is not counted.
 */
public final class InputWait {
    private final Timer timer;
    private final LongSupplier nanoClock;
    private long lastEnd = -1;
    private long began = -1;
    private long waited;
    private long busy;

    /**
     * @param registry where the timer goes
     * @param stage    the stage tag (teacher, student)
     */
    public InputWait(MeterRegistry registry, String stage) {
        this(registry, stage, System::nanoTime);
    }

    /** With the clock given (nanoseconds), for tests. */
    InputWait(MeterRegistry registry, String stage, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.timer = Timer.builder(MetricNames.STAGE_INPUT_WAIT).tag(MetricNames.TAG_STAGE, stage)
                .description("time the stage's compute thread waited for its next record").register(registry);
    }

    /** The compute thread starts on a record. */
    public synchronized void begin() {
        long now = nanoClock.getAsLong();
        if (lastEnd >= 0) {
            waited += now - lastEnd;
            timer.record(now - lastEnd, TimeUnit.NANOSECONDS);
        }
        began = now;
    }

    /** The compute thread is done with the record it began. */
    public synchronized void end() {
        if (began < 0) {
            throw new IllegalStateException("end() without begin()");
        }
        long now = nanoClock.getAsLong();
        if (lastEnd >= 0) {
            busy += now - began;
        }
        lastEnd = now;
        began = -1;
    }

    /** Waiting time over waiting plus working time, after the first record; 0 before the second. */
    public synchronized double share() {
        long total = waited + busy;
        return total == 0 ? 0 : (double) waited / total;
    }
}
