package io.kdstream.teacher;

import io.kdstream.core.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The teacher service's own meters: which teacher runs now ({@code kds.teacher.active}), its forward pass per batch
 * per teacher version ({@code kds.teacher.forward}) and live swaps by outcome ({@code kds.teacher.swaps}).
 */
final class TeacherMetrics {
    private final MeterRegistry registry;
    private final Map<String, Timer> forward = new ConcurrentHashMap<>();
    private final Counter swapsDone;
    private final Counter swapsFailed;
    private Gauge active;

    TeacherMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.swapsDone = Counter.builder(MetricNames.TEACHER_SWAPS).tag("outcome", "done")
                .description("live teacher swaps").register(registry);
        this.swapsFailed = Counter.builder(MetricNames.TEACHER_SWAPS).tag("outcome", "failed")
                .description("live teacher swaps").register(registry);
    }

    /** Points the gauge {@code kds.teacher.active} at the teacher now running (replacing the previous one's). */
    synchronized void active(TeacherModel t) {
        if (active != null) {
            registry.remove(active);
        }
        active = Gauge.builder(MetricNames.TEACHER_ACTIVE, () -> 1).tag("teacher", t.id()).tag("version", t.version())
                .description("the teacher this replica runs now").register(registry);
    }

    void forward(TeacherModel t, long nanos) {
        forward.computeIfAbsent(t.id() + "@" + t.version(), k -> Timer.builder(MetricNames.TEACHER_FORWARD)
                .tag("teacher", t.id()).tag("version", t.version()).publishPercentileHistogram()
                .description("teacher forward pass per batch").register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void swapped(boolean done) {
        (done ? swapsDone : swapsFailed).increment();
    }
}
