package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.View;
import org.junit.jupiter.api.Test;

class LastBatchTargetsTest {
    private static AugmentedBatch batch(long seq, long... ids) {
        int n = ids.length;
        return new AugmentedBatch(0, 0, seq, 0, 2, MixMode.NONE, ids, new int[n], new long[n], new int[n],
                new float[n], new float[n * 2], new int[n * 4], new byte[n], null, new View(n, 1, 1, 1, new float[n]),
                null);
    }

    @Test
    void shouldKeepNoTargetsForSamplesWhoseLogitsWereNotFinite() {
        LastBatchTargets dlb = new LastBatchTargets(3, 2);
        dlb.remember(batch(0, 1, 2, 3), new float[] {1, 2, Float.NaN, 0, 5, Float.POSITIVE_INFINITY});
        LastBatchTargets.Targets t = dlb.targets(batch(1, 1, 2, 3, 4));
        assertEquals(1, t.rows(), "only sample 1's predictions were finite");
        assertEquals(1, t.mask()[0]);
        assertEquals(0, t.mask()[1]);
        assertEquals(0, t.mask()[2]);
        dlb.remember(batch(1, 5), new float[] {Float.NaN, Float.NaN});
        assertNull(dlb.targets(batch(2, 5)).logits(), "no finite predictions: CE alone");
    }
}
