package io.kdstream.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.augmenter.ops.BatchAugmenter;
import io.kdstream.augmenter.ops.InceptionCrop;
import io.kdstream.augmenter.ops.MixPolicy;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.TeacherView;
import io.kdstream.core.wire.View;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The fixed-teacher ablation: one prediction per image, reused, mixed as probabilities. */
class FixedTeacherTest {
    private static final int K = 3;

    /** Images of constant brightness b = 10 * i: the logits below depend on nothing else. */
    private static List<Sample> samples(int epoch) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] px = new byte[8 * 8];
            java.util.Arrays.fill(px, (byte) (10 * i));
            out.add(new Sample(i, epoch, 0, i, i, i % K, K, 1, "t", new ImageU8(8, 8, 1, px)));
        }
        return out;
    }

    /** A teacher whose logits for an image are (m, 0, -m) with m its mean pixel in 0..1. */
    private static Function<View, float[]> teacher(AtomicInteger calls) {
        return v -> {
            calls.incrementAndGet();
            int px = v.height() * v.width() * v.channels();
            float[] out = new float[v.count() * K];
            for (int i = 0; i < v.count(); i++) {
                double m = 0;
                for (int j = 0; j < px; j++) {
                    m += v.pixels()[i * px + j];
                }
                m /= px * 255.0; // views are on the 0..255 scale
                out[i * K] = (float) m;
                out[i * K + 2] = (float) -m;
            }
            return out;
        };
    }

    @Test
    void shouldMixTheTeachersProbabilitiesAndComputeEachImageOnce() {
        BatchAugmenter a = new BatchAugmenter(new InceptionCrop(0.35, 1, 0.75, 4.0 / 3), true, 8, 8,
                MixPolicy.funMatch(), 1, TeacherView.FIXED);
        FixedTeacher fixed = new FixedTeacher();
        AtomicInteger calls = new AtomicInteger();
        AugmentedBatch b = a.augment(samples(0), 0, 0, 0);
        float[] out = fixed.annotate(b, "t@1", teacher(calls), K);
        assertEquals(1, calls.get());
        for (int i = 0; i < 4; i++) {
            int partner = b.partners()[i];
            float lambda = b.lambdas()[i];
            double mi = 10 * i / 255.0; // the whole image, constant: its mean is its brightness
            double mp = 10 * partner / 255.0;
            for (int j = 0; j < K; j++) {
                double pi = Math.exp((1 - j) * mi) / (Math.exp(mi) + 1 + Math.exp(-mi));
                double pp = Math.exp((1 - j) * mp) / (Math.exp(mp) + 1 + Math.exp(-mp));
                assertEquals(Math.log(lambda * pi + (1 - lambda) * pp), out[i * K + j], 1e-5,
                        "sample " + i + " class " + j);
            }
        }
        // a later epoch: new crops and mixing for the student, no new forward pass for the teacher
        AugmentedBatch later = a.augment(samples(3), 3, 0, 0);
        fixed.annotate(later, "t@1", teacher(calls), K);
        assertEquals(1, calls.get(), "predictions are reused");
        assertEquals(1, fixed.forwards());
        assertEquals(4, fixed.size());
        // a live swap to another version: its own predictions, not the old teacher's under the new id
        AtomicInteger swappedCalls = new AtomicInteger();
        Function<View, float[]> other = v -> {
            swappedCalls.incrementAndGet();
            float[] z = teacher(new AtomicInteger()).apply(v);
            for (int i = 0; i < z.length; i++) {
                z[i] = -z[i];
            }
            return z;
        };
        float[] afterSwap = fixed.annotate(later, "t@2", other, K);
        assertEquals(1, swappedCalls.get(), "the new version's forward pass runs");
        float[] before = fixed.annotate(later, "t@1", teacher(calls), K);
        assertEquals(2, calls.get(), "and a swap back recomputes as well");
        boolean differ = false;
        for (int i = 0; i < afterSwap.length; i++) {
            differ |= Math.abs(afterSwap[i] - before[i]) > 1e-4;
        }
        assertTrue(differ, "the two versions' targets differ");
    }
}
