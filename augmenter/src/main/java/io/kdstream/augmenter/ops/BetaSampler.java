package io.kdstream.augmenter.ops;

import java.util.SplittableRandom;

/** Draws from Beta(alpha, alpha) via two Gamma draws (Marsaglia and Tsang), as mixup and cutmix need. */
public final class BetaSampler {
    private BetaSampler() {
    }

    /** One draw of Beta(a, b). */
    public static double beta(double a, double b, SplittableRandom rnd) {
        double x = gamma(a, rnd);
        double y = gamma(b, rnd);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /** One draw of Gamma(shape, 1). */
    static double gamma(double shape, SplittableRandom rnd) {
        if (shape < 1) {
            double u = rnd.nextDouble();
            return gamma(shape + 1, rnd) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = gaussian(rnd);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rnd.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
