package io.kdstream.student;

import io.kdstream.student.train.StudentLoop;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the student does about a divergence: asks the {@link DivergenceGuard} after every step and every evaluation,
 * and when it reports one, counts it and stops the trainer, rolls the loop back to a checkpoint (the newest for a loss
 * spike, the best evaluation's for a fall in top-1) or warns, as {@code student.on-divergence} says. Runs on the
 * student's DJL thread.
 */
final class DivergenceResponse {
    private static final Logger LOG = LoggerFactory.getLogger(DivergenceResponse.class);

    private final StudentConfig.Divergence settings;
    private final DivergenceGuard guard;
    private final Checkpoints checkpoints;
    private final StudentMetrics metrics;
    private boolean lastSkipped;

    DivergenceResponse(StudentConfig.Divergence settings, Checkpoints checkpoints, StudentMetrics metrics) {
        this.settings = settings;
        this.guard = new DivergenceGuard(settings.ratio(), settings.top1Drop());
        this.checkpoints = checkpoints;
        this.metrics = metrics;
    }

    /** Whether a run needs a checkpoint of its initial weights: one a divergence before the first can return to. */
    boolean wantsInitialCheckpoint() {
        return settings.action() == DivergenceGuard.Action.ROLLBACK;
    }

    /** A resumed run: its best evaluation so far counts. */
    void resumed() {
        checkpoints.bestTop1().ifPresent(guard::bestSoFar);
    }

    /** After a step: says when a run of skipped updates starts, and acts on a diverged loss. */
    void step(StudentLoop loop, StudentLoop.StepResult r) {
        if (r.skipped() && !lastSkipped) {
            LOG.warn("student: the gradients at step {} are not finite (loss {}, gradient norm {}); its update was "
                    + "skipped, as is every such step (kds_student_skipped_steps_total)", loop.steps(), r.loss(),
                    r.gradNorm());
        }
        lastSkipped = r.skipped();
        String diverged = guard.step(loop.steps(), r.loss(), r.learningRate(), r.gradNorm());
        if (diverged != null) {
            act(loop, diverged, false);
        }
    }

    /**
     * After an evaluation: acts on a fall in top-1.
     *
     * @return whether the loop was rolled back
     */
    boolean evaluated(StudentLoop loop, int epoch, double top1) {
        String fell = guard.evaluation(epoch, top1);
        return fell != null && act(loop, fell, true);
    }

    private boolean act(StudentLoop loop, String what, boolean byTop1) {
        metrics.diverged();
        switch (settings.action()) {
            case STOP -> throw new IllegalStateException("student: training diverged: " + what + "; stopped "
                    + "(student.on-divergence=stop); " + checkpoints.afterDivergence());
            case WARN -> {
                LOG.warn("student: training diverged: {}; going on (student.on-divergence=warn); {}", what,
                        checkpoints.afterDivergence());
                return false;
            }
            case ROLLBACK -> {
                Optional<Path> to = byTop1 ? checkpoints.best().or(checkpoints::latest) : checkpoints.latest();
                if (to.isEmpty() || loop.rollbacks() >= settings.maxRollbacks()) {
                    throw new IllegalStateException("student: training diverged: " + what + "; stopped: "
                            + (to.isEmpty() ? "no checkpoint to roll back to" : loop.rollbacks() + " roll-back(s) "
                            + "made already (student.max-rollbacks=" + settings.maxRollbacks() + ")") + "; "
                            + checkpoints.afterDivergence());
                }
                checkpoints.rollBack(to.get(), loop, settings.rollbackLrScale());
                guard.rolledBack();
                lastSkipped = false;
                metrics.rolledBack();
                LOG.warn("student: training diverged: {}; rolled back to {} (roll-back {} of at most {}, "
                        + "student.on-divergence=rollback) and going on from step {} with the learning rate scaled by "
                        + "{} (student.rollback-lr-scale={})", what, to.get(), loop.rollbacks(),
                        settings.maxRollbacks(), loop.steps(), String.format(Locale.ROOT, "%.3g", loop.rateScale()),
                        settings.rollbackLrScale());
                return true;
            }
            default -> throw new IllegalStateException(settings.action().name());
        }
    }
}
