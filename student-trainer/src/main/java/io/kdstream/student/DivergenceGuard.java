package io.kdstream.student;

import java.util.Locale;

/**
 * Watches a run for divergence, two ways: the training loss (the loss or the gradients not finite in {@value #FAST}
 * steps in a row, or a short-term mean of the loss over {@value #FAST} steps that rises above {@code ratio} times its
 * long-term mean over {@value #SLOW} steps once {@value #SETTLE} steps have set that mean), and the evaluation top-1
 * (below its best so far by more than {@code top1Drop} in {@value #EVALS} evaluations in a row: a collapse whose loss
 * rises too little for the first check, yet stays). At a high learning rate single evaluations swing by 20 points
 * and more and recover at the next, and one run here stayed 25 and 22 points down for two evaluations early in its
 * schedule, so it takes three. A diverged run is said at once (metric, log line) and then stopped, rolled back or let
 * go on ({@link Action}). Runs on the student's DJL thread.
 */
final class DivergenceGuard {
    /** What to do when the run diverges ({@code student.on-divergence}). */
    enum Action {
        /** Stop the trainer with an error naming the step, the loss and the last checkpoint. */
        STOP,
        /** Log and count it, and go on. */
        WARN,
        /**
         * Restore the weights and optimizer state of a checkpoint from before the divergence (the newest for a loss
         * spike, the one at the best evaluation for a fall in top-1), scale the learning rate down, and go on with
         * the stream.
         */
        ROLLBACK
    }

    static final int FAST = 10;
    static final int SLOW = 200;
    static final int SETTLE = 100;
    static final int EVALS = 3;

    private final double ratio;
    private final double top1Drop;
    private double fast;
    private double slow;
    private long seen;
    private boolean diverged;
    private int nonFinite;
    private double best = -1;
    private int below;

    /**
     * @param ratio    the short-term mean's limit as a multiple of the long-term mean; 0 checks finiteness only
     * @param top1Drop how far (a fraction: 0.2 is 20 points) top-1 may stay below its best; 0 does not watch top-1
     */
    DivergenceGuard(double ratio, double top1Drop) {
        this.ratio = ratio;
        this.top1Drop = top1Drop;
    }

    /** A guard on the loss only. */
    DivergenceGuard(double ratio) {
        this(ratio, 0);
    }

    /** Sets the best top-1 seen before this process (a resumed run's best checkpoint). */
    void bestSoFar(double top1) {
        best = Math.max(best, top1);
    }

    /**
     * Takes one evaluation's top-1.
     *
     * @return a description of the divergence when this evaluation makes {@value #EVALS} in a row more than
     *         {@code top1Drop} below the best (once per episode), else null
     */
    String evaluation(int epoch, double top1) {
        if (top1 > best) {
            best = top1;
        }
        if (top1Drop == 0 || best - top1 <= top1Drop) {
            below = 0;
            return null;
        }
        below++;
        if (below != EVALS) {
            return null;
        }
        return String.format(Locale.ROOT, "top-1 on the evaluation set fell to %.2f%% at epoch %d, %.1f points below "
                + "its best of %.2f%%, for %d evaluations in a row (student.divergence-top1-drop=%s)", 100 * top1,
                epoch, 100 * (best - top1), 100 * best, EVALS, top1Drop);
    }

    /** After a roll-back: the loss and top-1 start a new episode from the restored weights. */
    void rolledBack() {
        fast = slow;
        diverged = false;
        nonFinite = 0;
        below = 0;
    }

    /**
     * Takes one step's loss.
     *
     * @return a description of the divergence when this step starts one (once per episode: the loss must come back
     *         under the limit before another is reported), else null
     */
    String step(long step, double loss, double learningRate) {
        return step(step, loss, learningRate, 0);
    }

    /**
     * Takes one step's loss and gradient norm. A step whose loss or gradients are not finite had its update skipped
     * (StudentLoop): one is not a divergence, {@value #FAST} in a row are (the weights themselves give NaN).
     *
     * @return a description of the divergence when this step starts one, else null
     */
    String step(long step, double loss, double learningRate, double gradNorm) {
        if (!Double.isFinite(loss) || !Double.isFinite(gradNorm)) {
            nonFinite++;
            return nonFinite != FAST ? null : String.format(Locale.ROOT, "the loss or the gradients were not finite "
                    + "in %d steps in a row, the last at step %d (loss %s, gradient norm %s, learning rate %.3g)",
                    FAST, step, loss, gradNorm, learningRate);
        }
        nonFinite = 0;
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
