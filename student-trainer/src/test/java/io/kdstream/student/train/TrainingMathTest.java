package io.kdstream.student.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class TrainingMathTest {
    // student logits [1,2,3], teacher logits [3,1,0], mixed target [0, 0.25, 0.75]; values computed by hand
    // (log-softmax and KL written out in double precision, see the issue notes)
    private static final float CE = 0.6576059644f;
    private static final float KD_T1 = 1.6851240161f;
    private static final float KD_T2 = 2.0738163287f;

    private static float[] loss(float t, float wce, float wkd, boolean withTeacher) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray zs = m.create(new float[] {1, 2, 3}, new ai.djl.ndarray.types.Shape(1, 3));
            NDArray zt = m.create(new float[] {3, 1, 0}, new ai.djl.ndarray.types.Shape(1, 3));
            NDArray y = m.create(new float[] {0, 0.25f, 0.75f}, new ai.djl.ndarray.types.Shape(1, 3));
            NDList labels = withTeacher ? new NDList(y, zt) : new NDList(y);
            NDList c = new KdLoss(t, wce, wkd).components(labels, new NDList(zs));
            return new float[] {c.get(0).getFloat(), c.get(1).getFloat(), c.get(2).getFloat()};
        }
    }

    @Test
    void shouldMatchHandComputedKdLossAtTemperatureOne() {
        float[] l = loss(1, 1, 5, true);
        assertEquals(CE, l[1], 1e-5);
        assertEquals(KD_T1, l[2], 1e-5);
        assertEquals(CE + 5 * KD_T1, l[0], 1e-4);
    }

    @Test
    void shouldScaleKdTermByTemperatureSquared() {
        float[] l = loss(2, 0.5f, 1, true);
        assertEquals(KD_T2, l[2], 1e-5);
        assertEquals(0.5f * CE + KD_T2, l[0], 1e-4);
    }

    @Test
    void shouldTrainOnTeacherAloneWhenCeWeightIsZero() {
        float[] l = loss(1, 0, 1, true);
        assertEquals(KD_T1, l[0], 1e-5);
    }

    @Test
    void shouldLimitTheKdTermToMaskedRowsAsDlbNeeds() {
        // row 0 is the hand-computed example; row 1 has other logits and no soft target (mask 0): the KD term is row
        // 0's alone, not the mean over both rows, and CE still averages both rows
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(2, 3);
            NDArray zs = m.create(new float[] {1, 2, 3, 1, 2, 3}, s);
            NDArray zt = m.create(new float[] {3, 1, 0, -5, 7, 2}, s);
            NDArray y = m.create(new float[] {0, 0.25f, 0.75f, 0, 0.25f, 0.75f}, s);
            NDArray mask = m.create(new float[] {1, 0});
            NDList c = new KdLoss(1, 1, 1).components(new NDList(y, zt, mask), new NDList(zs));
            assertEquals(KD_T1, c.get(2).getFloat(), 1e-5);
            assertEquals(CE, c.get(1).getFloat(), 1e-5);
            NDList none = new KdLoss(1, 1, 1).components(new NDList(y, zt, m.zeros(new ai.djl.ndarray.types.Shape(2))),
                    new NDList(zs));
            assertEquals(0f, none.get(2).getFloat(), 0f, "no masked row: no KD term");
        }
    }

    @Test
    void shouldReduceToSoftTargetCrossEntropyWithoutTeacher() {
        float[] l = loss(1, 1, 5, false);
        assertEquals(CE, l[0], 1e-5);
        assertEquals(0f, l[2], 0f);
        assertThrows(IllegalArgumentException.class, () -> new KdLoss(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new KdLoss(0, 1, 1));
    }

    @Test
    void shouldWarmUpLinearlyThenDecayByCosine() {
        LrSchedule s = new LrSchedule(0.1, 10, 110, 0.0);
        assertEquals(0.01, s.rate(0), 1e-12);
        assertEquals(0.1, s.rate(9), 1e-12);
        assertEquals(0.1, s.rate(10), 1e-12);
        assertEquals(0.05, s.rate(60), 1e-12);
        assertEquals(0.0, s.rate(110), 1e-12);
        assertEquals(0.0, s.rate(500), 1e-12);
        assertEquals(0.1, new LrSchedule(0.1, 0, 0, 0).rate(1000), 0);
        assertEquals(0.05, LrSchedule.linearScaled(0.1, 128), 1e-12);
    }

    @Test
    void shouldDecayAsInverseSquareRootWhenTheRunHasNoEnd() {
        LrSchedule s = new LrSchedule(0.1, 100, 0, 0.0);
        assertEquals(0.001, s.rate(0), 1e-12);
        assertEquals(0.1, s.rate(99), 1e-12);
        assertEquals(0.05, s.rate(399), 1e-12, "4x the warmup: half the peak");
        assertEquals(0.01, s.rate(9_999), 1e-12, "100x the warmup: a tenth");
        for (long step = 100; step < 5_000; step++) {
            assertTrue(s.rate(step) < s.rate(step - 1), "decreasing at step " + step);
        }
    }

    @Test
    void shouldTakeOneDecoupledAdamWStepAsComputedByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdamW opt = new AdamW(new LrSchedule(0.1, 0, 0, 0), 0.9f, 0.999f, 1e-8f, 0.01f, AdamW::decaysWeightsOnly);
            NDArray w = m.create(new float[] {1f});
            NDArray b = m.create(new float[] {1f});
            opt.bindName("w", "01Linear_weight", m);
            opt.bindName("b", "01Linear_bias", m);
            opt.setStep(0);
            opt.update("w", w, m.create(new float[] {0.5f}));
            opt.update("b", b, m.create(new float[] {0.5f}));
            // m_hat = 0.5, v_hat = 0.25: step = 0.5 / 0.5 = 1; weight: 1 - 0.1 (1 + 0.01 * 1); bias: no decay
            assertEquals(0.899f, w.getFloat(), 1e-6);
            assertEquals(0.9f, b.getFloat(), 1e-6);
        }
        assertTrue(AdamW.decaysWeightsOnly("03Conv2d_weight"));
        assertFalse(AdamW.decaysWeightsOnly("04BatchNorm_gamma"));
        assertFalse(AdamW.decaysWeightsOnly("05Linear_bias"));
    }
}
