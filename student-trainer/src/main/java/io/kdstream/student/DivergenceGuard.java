package io.kdstream.student;

import java.util.Locale;

/**
 * Watches the training loss for divergence: a loss that is not finite, or a short-term mean of the loss
 * ({@value #FAST} steps) that rises above {@code ratio} times its long-term mean ({@value #SLOW} steps) once
 * {@value #SETTLE} steps have set that mean. A diverged run is said at once (metric, log line) and, with
 * {@code student.on-divergence=stop}, stopped before it spends its schedule on weights that no longer learn.
 * Runs on the student's DJL thread.
 */
final class DivergenceGuard {
    /** What to do when the loss diverges ({@code student.on-divergence}). */
    enum Action {
        /** Stop the trainer with an error naming the step, the loss and the last checkpoint. */
        STOP,
        /** Log and count it, and go on. */
        WARN
    }

    static final int FAST = 10;
    static final int SLOW = 200;
    static final int SETTLE = 100;

    private final double ratio;
    private double fast;
    private double slow;
    private long seen;
    private boolean diverged;

    /** @param ratio the short-term mean's limit as a multiple of the long-term mean; 0 checks finiteness only */
    DivergenceGuard(double ratio) {
        this.ratio = ratio;
    }

    /**
     * Takes one step's loss.
     *
     * @return a description of the divergence when this step starts one (once per episode: the loss must come back
     *         under the limit before another is reported), else null
     */
    String step(long step, double loss, double learningRate) {
        if (!Double.isFinite(loss)) {
            return String.format(Locale.ROOT, "the loss at step %d is %s (learning rate %.3g)", step, loss,
                    learningRate);
        }
        if (ratio == 0) {
            return null;
        }
        seen++;
        fast = seen == 1 ? loss : fast + (loss - fast) / FAST;
        boolean high = seen > SETTLE && fast > ratio * slow;
        if (!high) { // the long-term mean does not learn from a diverging stretch
            slow = seen == 1 ? loss : slow + (loss - slow) / Math.min(seen, SLOW);
        }
        if (high && !diverged) {
            diverged = true;
            return String.format(Locale.ROOT, "the loss rose to %.3f at step %d (its mean over the last %d steps "
                    + "%.3f, %.1f times its mean of %.3f before; learning rate %.3g)", loss, step, FAST, fast,
                    fast / slow, slow, learningRate);
        }
        if (!high) {
            diverged = false;
        }
        return null;
    }
}
