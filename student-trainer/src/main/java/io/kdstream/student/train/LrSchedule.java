package io.kdstream.student.train;

/**
 * Learning rate per step: linear warmup from base / warmup to base over {@code warmupSteps}, then cosine decay to
 * {@code finalLr} at {@code totalSteps} (Bag of Tricks; USI; FunMatch), constant at {@code finalLr} after.
 * {@code totalSteps} 0 is a run with no end: after the warmup the rate decays as the inverse square root of the step,
 * {@code base * sqrt(warmupSteps / (step + 1))} (a constant peak rate, kept for hours, diverges; the decay is slow
 * enough to keep learning from a stream that does not end), or stays at {@code base} when there is no warmup.
 *
 * @param baseLr      peak learning rate
 * @param warmupSteps steps of linear warmup
 * @param totalSteps  steps of the whole schedule, or 0
 * @param finalLr     the rate at the end of the cosine
 */
public record LrSchedule(double baseLr, long warmupSteps, long totalSteps, double finalLr) {
    public LrSchedule {
        if (!(baseLr > 0) || warmupSteps < 0 || totalSteps < 0 || finalLr < 0) {
            throw new IllegalArgumentException("invalid schedule: lr " + baseLr + ", warmup " + warmupSteps
                    + ", total " + totalSteps + ", final " + finalLr);
        }
    }

    /** Bag of Tricks' linear scaling rule: {@code perSample256 * batch / 256}. */
    public static double linearScaled(double per256, int batchSize) {
        return per256 * batchSize / 256.0;
    }

    /** The rate of step {@code step} (0-based). */
    public double rate(long step) {
        if (step < warmupSteps) {
            return baseLr * (step + 1) / warmupSteps;
        }
        if (totalSteps <= warmupSteps) {
            if (totalSteps > 0) {
                return finalLr;
            }
            return warmupSteps == 0 ? baseLr : baseLr * Math.sqrt((double) warmupSteps / (step + 1));
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return finalLr + (baseLr - finalLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
