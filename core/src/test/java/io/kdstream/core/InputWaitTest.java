package io.kdstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InputWaitTest {
    private long now;

    @Test
    void shouldSplitTheTimeAfterTheFirstRecordIntoWaitingAndWorking() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InputWait w = new InputWait(registry, "student", () -> now);
        now = 1_000;            // start-up: neither the wait before the first record nor its work counts
        w.begin();
        now = 5_000;
        w.end();
        assertEquals(0.0, w.share());
        now = 6_000;            // waited 1,000
        w.begin();
        now = 10_000;           // worked 4,000
        w.end();
        now = 13_000;           // waited 3,000
        w.begin();
        now = 15_000;           // worked 2,000
        w.end();
        assertEquals(4_000.0 / 10_000, w.share(), 1e-12);
        Timer t = registry.get(MetricNames.STAGE_INPUT_WAIT).tag(MetricNames.TAG_STAGE, "student").timer();
        assertEquals(2, t.count());
        assertEquals(4_000, t.totalTime(TimeUnit.NANOSECONDS), 1e-6);
    }

    @Test
    void shouldRefuseAnEndWithoutABegin() {
        InputWait w = new InputWait(new SimpleMeterRegistry(), "teacher", () -> now);
        assertThrows(IllegalStateException.class, w::end);
    }
}
