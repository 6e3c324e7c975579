package io.kdstream.augmenter.ops;

import io.kdstream.core.wire.MixMode;
import java.util.SplittableRandom;

/**
 * How batches are mixed.
 *
 * @param choice      none, mixup, cutmix, or switch (USI: cutmix with probability {@code switchProb}, else mixup)
 * @param mixupAlpha  mixup lambda ~ Beta(alpha, alpha); 1 is uniform as in FunMatch
 * @param maxLambda   replace lambda by max(lambda, 1 - lambda) (FunMatch), so each view is dominated by its image
 * @param cutmixAlpha cutmix lambda ~ Beta(alpha, alpha)
 * @param switchProb  probability of cutmix under {@code switch}
 * @param mixProb     probability that a batch is mixed at all
 */
public record MixPolicy(Choice choice, double mixupAlpha, boolean maxLambda, double cutmixAlpha, double switchProb,
                        double mixProb) {
    /** The configured mixing. */
    public enum Choice {
        /** No mixing. */
        NONE,
        /** Mixup only. */
        MIXUP,
        /** Cutmix only. */
        CUTMIX,
        /** Per batch, cutmix or mixup. */
        SWITCH
    }

    public MixPolicy {
        if (!(mixupAlpha > 0) || !(cutmixAlpha > 0)) {
            throw new IllegalArgumentException("mixup and cutmix alpha must be > 0");
        }
        if (switchProb < 0 || switchProb > 1 || mixProb < 0 || mixProb > 1) {
            throw new IllegalArgumentException("probabilities must be in [0, 1]");
        }
    }

    /** FunMatch's mixup: lambda uniform, max(lambda, 1 - lambda), every batch. */
    public static MixPolicy funMatch() {
        return new MixPolicy(Choice.MIXUP, 1.0, true, 1.0, 0.5, 1.0);
    }

    /** No mixing. */
    public static MixPolicy none() {
        return new MixPolicy(Choice.NONE, 1.0, false, 1.0, 0.5, 1.0);
    }

    /** Picks this batch's mode. */
    public MixMode pick(SplittableRandom rnd) {
        if (choice == Choice.NONE || rnd.nextDouble() >= mixProb) {
            return MixMode.NONE;
        }
        return switch (choice) {
            case MIXUP -> MixMode.MIXUP;
            case CUTMIX -> MixMode.CUTMIX;
            case SWITCH -> rnd.nextDouble() < switchProb ? MixMode.CUTMIX : MixMode.MIXUP;
            case NONE -> MixMode.NONE;
        };
    }

    /** Draws the mixup coefficient. */
    public double mixupLambda(SplittableRandom rnd) {
        double lam = BetaSampler.beta(mixupAlpha, mixupAlpha, rnd);
        return maxLambda ? Math.max(lam, 1 - lam) : lam;
    }

    /**
     * Draws a cutmix box in normalized coordinates {top, left, bottom, right}: side ratio sqrt(1 - lambda) around a
     * uniform centre, clipped to the image (so the kept area can exceed lambda near borders; the actual kept fraction
     * is what the target uses).
     */
    public float[] cutBox(SplittableRandom rnd) {
        double lam = BetaSampler.beta(cutmixAlpha, cutmixAlpha, rnd);
        double r = Math.sqrt(1 - lam);
        double cy = rnd.nextDouble();
        double cx = rnd.nextDouble();
        return new float[] {(float) clip(cy - r / 2), (float) clip(cx - r / 2), (float) clip(cy + r / 2),
                (float) clip(cx + r / 2)};
    }

    private static double clip(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
