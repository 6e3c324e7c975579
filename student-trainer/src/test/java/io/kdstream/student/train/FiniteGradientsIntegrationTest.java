package io.kdstream.student.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.kdstream.core.wire.View;
import io.kdstream.models.Architecture;
import io.kdstream.models.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A CNN whose first stage has 4 channels, trained on mixed (soft) targets: with libtorch 2.7.1, oneDNN's AVX-512
 * kernels gave NaN gradients in whole channels of its first stage (finite loss) in 3 to 10 of 20 seeds within 42
 * steps, at random (the same seed failed in one run and not the next); capped at AVX2, as {@code engine.cpu-isa}
 * does for the kdstream command and the build for the tests, none did (docs/PERFORMANCE.md).
 */
class FiniteGradientsIntegrationTest {
    @Test
    void shouldKeepEveryGradientFiniteOnASmallCnn() {
        assertEquals("AVX2", System.getenv("ONEDNN_MAX_CPU_ISA"), "the build runs tests as engine.cpu-isa=auto does");
        ModelSpec spec = new ModelSpec(Architecture.CNN, 4, 1, 10, 1, 28, ModelSpec.FASHION_MEAN,
                ModelSpec.FASHION_STD);
        var train = StudentLoopTest.mini(true);
        List<String> bad = new ArrayList<>();
        for (long seed = 1; seed <= 16; seed++) {
            StudentLoop.Options o = new StudentLoop.Options(1, 1, 0, new LrSchedule(4e-3, 5, 42, 0), 0.01f, true,
                    0f, 0, seed);
            try (StudentLoop loop = new StudentLoop(spec, o, Device.cpu())) {
                for (int step = 0; step < 42; step++) {
                    int b = step % train.images().length;
                    View v = train.images()[b];
                    int n = v.count();
                    float[] t = new float[n * 10];
                    Random r = new Random(seed * 100 + step);
                    for (int i = 0; i < n; i++) { // mixup-like: lambda >= 0.5 on the image's label, the rest on another's
                        float lambda = 0.5f + 0.5f * r.nextFloat();
                        t[i * 10 + train.labels()[b * 50 + i]] += lambda;
                        t[i * 10 + train.labels()[b * 50 + (i + 1) % n]] += 1 - lambda;
                    }
                    StudentLoop.StepResult result = loop.step(v, t, null);
                    if (!Double.isFinite(result.gradNorm()) || !Float.isFinite(result.loss())) {
                        bad.add("seed " + seed + " step " + step + ": loss " + result.loss() + ", gradient norm "
                                + result.gradNorm());
                        break;
                    }
                }
            }
        }
        assertTrue(bad.isEmpty(), "non-finite gradients: " + bad);
    }
}
