package io.kdstream.student;

import io.kdstream.core.MetricNames;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.student.train.StudentLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The student's meters: throughput, loss parts, learning rate, gradient norm and clipping, evaluation, duplicates,
 * teachers, latency.
 */
final class StudentMetrics {
    private final MeterRegistry registry;
    private final Counter images;
    private final Counter batches;
    private final Counter duplicates;
    private final Counter divergences;
    private final Counter rollbacks;
    private final Counter skipped;
    private final Counter clipped;
    private final double clipNorm;
    private final Timer latency;
    private final AtomicReference<Double> loss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> ce = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> kd = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lr = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> gradNorm = new AtomicReference<>(Double.NaN);
    private long windowSteps;
    private long windowClipped;
    private long windowSkipped;
    private double windowMaxNorm;
    private final AtomicReference<Double> studentTop1 = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> teacherTop1 = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> agreement = new AtomicReference<>(Double.NaN);
    private final Map<String, Counter> perTeacher = new ConcurrentHashMap<>();

    /** @param clipNorm {@code student.clip-norm}: steps whose gradient norm exceeds it count as clipped (0 = off) */
    StudentMetrics(MeterRegistry registry, double clipNorm) {
        this.registry = registry;
        this.clipNorm = clipNorm;
        String stage = StudentTrainer.STAGE;
        images = Counter.builder(MetricNames.STAGE_IMAGES).tag(MetricNames.TAG_STAGE, stage)
                .description("images trained on").register(registry);
        batches = Counter.builder(MetricNames.STAGE_BATCHES).tag(MetricNames.TAG_STAGE, stage)
                .description("batches trained on").register(registry);
        duplicates = Counter.builder(MetricNames.STUDENT_DUPLICATES).description("batches skipped as already trained")
                .register(registry);
        divergences = Counter.builder(MetricNames.STUDENT_DIVERGENCES)
                .description("times the run diverged (loss not finite or far above its running mean; top-1 far below "
                        + "its best)").register(registry);
        skipped = Counter.builder(MetricNames.STUDENT_SKIPPED_STEPS)
                .description("steps whose update was skipped: their gradients were not finite").register(registry);
        rollbacks = Counter.builder(MetricNames.STUDENT_ROLLBACKS)
                .description("times the student rolled back to a checkpoint after a divergence").register(registry);
        clipped = Counter.builder(MetricNames.STUDENT_CLIPPED_STEPS)
                .description("steps whose gradients were scaled down to student.clip-norm").register(registry);
        latency = Timer.builder(MetricNames.PIPELINE_LATENCY).description("loader read to training step")
                .publishPercentileHistogram().register(registry);
        gauge(MetricNames.STUDENT_LOSS, loss);
        gauge(MetricNames.STUDENT_LOSS_CE, ce);
        gauge(MetricNames.STUDENT_LOSS_KD, kd);
        gauge(MetricNames.STUDENT_LR, lr);
        gauge(MetricNames.STUDENT_GRAD_NORM, gradNorm);
        Gauge.builder(MetricNames.EVAL_TOP1, studentTop1, AtomicReference::get).tag("model", "student")
                .register(registry);
        Gauge.builder(MetricNames.EVAL_TOP1, teacherTop1, AtomicReference::get).tag("model", "teacher")
                .register(registry);
        gauge(MetricNames.EVAL_AGREEMENT, agreement);
    }

    /** Meters the size of the ledger's de-duplication state. */
    void bind(TrainingLedger ledger) {
        Gauge.builder(MetricNames.STUDENT_DEDUP_ENTRIES, ledger, TrainingLedger::stateSize)
                .description("entries kept to skip batches trained already").register(registry);
    }

    private void gauge(String name, AtomicReference<Double> ref) {
        Gauge.builder(name, ref, AtomicReference::get).register(registry);
    }

    void step(StudentLoop.StepResult r, AugmentedBatch batch) {
        images.increment(batch.size());
        batches.increment();
        loss.set((double) r.loss());
        ce.set((double) r.ce());
        kd.set((double) r.kd());
        lr.set(r.learningRate());
        gradients(r.gradNorm());
        latency.record(Math.max(0, System.currentTimeMillis() - batch.createdAtMs()), TimeUnit.MILLISECONDS);
    }

    /** Meters one step's gradient norm (before clipping). */
    void gradients(double norm) {
        gradNorm.set(norm);
        boolean finite = Double.isFinite(norm);
        boolean clip = clipNorm > 0 && norm > clipNorm && finite;
        if (clip) {
            clipped.increment();
        }
        if (!finite) {
            skipped.increment();
        }
        synchronized (this) {
            windowSteps++;
            windowClipped += clip ? 1 : 0;
            windowSkipped += finite ? 0 : 1;
            if (finite) {
                windowMaxNorm = Math.max(windowMaxNorm, norm);
            }
        }
    }

    /**
     * The gradients since the last call, for the evaluation's log line: e.g. {@code gradient norm max 2.31, 40% of
     * 780 steps clipped at 1}; empty when no step was taken.
     */
    synchronized String gradientsSinceLast() {
        if (windowSteps == 0) {
            return "";
        }
        String s = String.format(java.util.Locale.ROOT, "gradient norm max %.3g, ", windowMaxNorm)
                + (clipNorm > 0 ? String.format(java.util.Locale.ROOT, "%.0f%% of %d steps clipped at %s",
                100.0 * windowClipped / windowSteps, windowSteps, clipFormat(clipNorm))
                : "not clipped (student.clip-norm=0)")
                + (windowSkipped == 0 ? "" : String.format(java.util.Locale.ROOT, "; %d of %d steps skipped (gradients "
                + "not finite)", windowSkipped, windowSteps));
        windowSteps = 0;
        windowSkipped = 0;
        windowClipped = 0;
        windowMaxNorm = 0;
        return s;
    }

    private static String clipFormat(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    void duplicate() {
        duplicates.increment();
    }

    void diverged() {
        divergences.increment();
    }

    void rolledBack() {
        rollbacks.increment();
    }

    void teacherBatch(String idAtVersion) {
        perTeacher.computeIfAbsent(idAtVersion, t -> {
            int at = t.lastIndexOf('@');
            return Counter.builder(MetricNames.STUDENT_TEACHER_BATCHES).tag("teacher", t.substring(0, at))
                    .tag("version", t.substring(at + 1)).description("batches trained per teacher version")
                    .register(registry);
        }).increment();
    }

    void unexpectedTeacher(String idAtVersion, TeacherPolicy.Action action) {
        int at = idAtVersion.lastIndexOf('@');
        Counter.builder(MetricNames.STUDENT_UNEXPECTED_TEACHER).tag("teacher", idAtVersion.substring(0, at))
                .tag("version", idAtVersion.substring(at + 1))
                .tag("action", action.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .description("batches from a teacher the student does not expect").register(registry).increment();
    }

    void evaluated(EvalResult e) {
        studentTop1.set(e.studentTop1());
        teacherTop1.set(e.teacherTop1());
        agreement.set(e.agreement());
    }
}
