package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kdstream.core.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class StudentMetricsTest {
    @Test
    void shouldCountClippedStepsAndSummariseThemPerEvaluation() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StudentMetrics metrics = new StudentMetrics(registry, 1.0);
        assertEquals("", metrics.gradientsSinceLast(), "no step, nothing to say");
        metrics.gradients(2.5);
        metrics.gradients(0.5);
        metrics.gradients(1.0); // at the norm: not scaled
        metrics.gradients(1.5);
        assertEquals(2, registry.get(MetricNames.STUDENT_CLIPPED_STEPS).counter().count());
        assertEquals(1.5, registry.get(MetricNames.STUDENT_GRAD_NORM).gauge().value());
        assertEquals("gradient norm max 2.50, 50% of 4 steps clipped at 1", metrics.gradientsSinceLast());
        metrics.gradients(0.25);
        assertEquals("gradient norm max 0.250, 0% of 1 steps clipped at 1", metrics.gradientsSinceLast(),
                "each summary covers the steps since the last one");
    }

    @Test
    void shouldSayWhenClippingIsOff() {
        StudentMetrics metrics = new StudentMetrics(new SimpleMeterRegistry(), 0);
        metrics.gradients(40);
        assertEquals("gradient norm max 40.0, not clipped (student.clip-norm=0)", metrics.gradientsSinceLast());
    }

    @Test
    void shouldCountSkippedStepsAndLeaveThemOutOfTheLargestNorm() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StudentMetrics metrics = new StudentMetrics(registry, 1.0);
        metrics.gradients(0.5);
        metrics.gradients(Double.POSITIVE_INFINITY);
        metrics.gradients(Double.NaN);
        metrics.gradients(2);
        assertEquals(2, registry.get(MetricNames.STUDENT_SKIPPED_STEPS).counter().count());
        assertEquals(1, registry.get(MetricNames.STUDENT_CLIPPED_STEPS).counter().count(), "a skipped step is not clipped");
        assertEquals("gradient norm max 2.00, 25% of 4 steps clipped at 1; 2 of 4 steps skipped (gradients not finite)",
                metrics.gradientsSinceLast());
    }
}
