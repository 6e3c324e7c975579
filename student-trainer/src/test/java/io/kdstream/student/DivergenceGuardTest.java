package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DivergenceGuardTest {
    /** A loss falling from 3 towards 1 with batch-to-batch noise of +-40%, as mixup gives. */
    private static double healthy(Random r, long step) {
        return (1 + 2 * Math.exp(-step / 300.0)) * (1 + 0.4 * (2 * r.nextDouble() - 1));
    }

    @Test
    void shouldStayQuietWhileTheLossFallsNoisily() {
        DivergenceGuard g = new DivergenceGuard(3);
        Random r = new Random(1);
        for (long s = 1; s <= 3000; s++) {
            assertNull(g.step(s, healthy(r, s), 1e-3), "step " + s);
        }
    }

    @Test
    void shouldReportASpikeOnceWithinTenStepsAndAgainAfterARecovery() {
        DivergenceGuard g = new DivergenceGuard(3);
        Random r = new Random(2);
        long s = 1;
        for (; s <= 500; s++) {
            assertNull(g.step(s, healthy(r, s), 1e-3));
        }
        // the reported run: 3.2 jumping to 16.5 as the warm-up reached the peak learning rate
        int reports = 0;
        long first = -1;
        for (long t = 0; t < 50; t++, s++) {
            String m = g.step(s, 16.5, 4e-3);
            if (m != null) {
                reports++;
                first = first < 0 ? t : first;
                assertTrue(m.contains("16.") && m.contains("times"), m);
            }
        }
        assertEquals(1, reports, "one report per episode");
        assertTrue(first < 10, "reported within 10 steps, after " + first);
        for (long t = 0; t < 100; t++, s++) {
            assertNull(g.step(s, 1.2, 1e-3), "recovered at step " + s);
        }
        String again = null;
        for (long t = 0; t < 50 && again == null; t++, s++) {
            again = g.step(s, 20, 1e-3);
        }
        assertNotNull(again, "a second episode is reported too");
    }

    @Test
    void shouldAlwaysReportALossThatIsNotFinite() {
        DivergenceGuard off = new DivergenceGuard(0);
        assertNull(off.step(1, 1e6, 1e-3), "ratio 0: no spike check");
        assertNotNull(off.step(2, Double.NaN, 1e-3));
        assertNotNull(new DivergenceGuard(3).step(1, Double.POSITIVE_INFINITY, 1e-3));
    }
}
