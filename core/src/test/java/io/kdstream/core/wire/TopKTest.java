package io.kdstream.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKTest {
    private static final int N = 4;
    private static final int C = 100;

    private static float[] logits(long seed) {
        Random r = new Random(seed);
        float[] z = new float[N * C];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (r.nextGaussian() * 2);
        }
        return z;
    }

    private static double logSumExp(float[] z, int from, int to, java.util.function.IntPredicate keep) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < to; j++) {
            if (keep.test(j - from)) {
                max = Math.max(max, z[j]);
            }
        }
        double s = 0;
        for (int j = from; j < to; j++) {
            if (keep.test(j - from)) {
                s += Math.exp(z[j] - max);
            }
        }
        return max + Math.log(s);
    }

    @Test
    void shouldKeepTheTopKExactlyAndTheMassOfTheRest() {
        float[] z = logits(3);
        int k = 5;
        float[] back = TopK.of(z, N, C, k).logits();
        for (int i = 0; i < N; i++) {
            int base = i * C;
            Integer[] order = new Integer[C];
            for (int j = 0; j < C; j++) {
                order[j] = j;
            }
            java.util.Arrays.sort(order, (a, b) -> Float.compare(z[base + b], z[base + a]));
            java.util.Set<Integer> top = new java.util.HashSet<>(java.util.List.of(order).subList(0, k));
            for (int j : top) {
                assertEquals(z[base + j], back[base + j], "top class " + j + " as sent");
            }
            double restBefore = logSumExp(z, base, base + C, j -> !top.contains(j));
            double restAfter = logSumExp(back, base, base + C, j -> !top.contains(j));
            assertEquals(restBefore, restAfter, 1e-5, "the rest keeps its mass");
            assertEquals(logSumExp(z, base, base + C, j -> true), logSumExp(back, base, base + C, j -> true), 1e-5);
        }
    }

    @Test
    void shouldTravelInAnAnnotatedBatchAndStaySmall() {
        float[] z = logits(4);
        AugmentedBatch b = new AugmentedBatch(0, 0, 0, 0, C, MixMode.NONE, new long[] {0, 1, 2, 3},
                new int[] {1, 2, 3, 4}, new long[N], new int[] {0, 1, 2, 3}, new float[] {1, 1, 1, 1},
                AugmentedBatch.mixedTargets(new int[] {1, 2, 3, 4}, new int[] {0, 1, 2, 3}, new float[] {1, 1, 1, 1},
                        C), new int[N * 4], new byte[N], null, new View(N, 2, 2, 1, new float[N * 4]), null);
        byte[] full = new AnnotatedBatch(b, z, true, "t", "1").encode();
        AnnotatedBatch compact = new AnnotatedBatch(b, z, true, "t", "1", java.util.List.of(), null, 5);
        byte[] small = compact.encode();
        AnnotatedBatch back = AnnotatedBatch.decode(small);
        assertEquals(5, back.topK());
        assertTrue(back.halfPrecision());
        float[] exact = TopK.of(z, N, C, 5).logits();
        float[] got = back.teacherLogits();
        for (int i = 0; i < exact.length; i++) { // the top logits travel as float16
            assertEquals(exact[i], got[i], Math.abs(exact[i]) * 1e-3 + 1e-3, "logit " + i);
        }
        // 100 float16 logits (200 B an image) become 5 one-byte classes, 5 float16 logits and a float32 (19 B),
        // less the names and shapes of two more tensors
        assertTrue(small.length < full.length - N * 150, small.length + " vs " + full.length);
        assertEquals(AnnotatedBatch.decode(back.encode()).teacherLogits().length, N * C, "re-encoding keeps it");
    }
}
