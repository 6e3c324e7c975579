package io.kdstream.student.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code student.seed}: the same seed gives the same initial weights, another seed other ones. */
class SeedTest {
    private static List<float[]> initialWeights(Long seed) {
        StudentLoop.Options o = new StudentLoop.Options(1, 1, 0, new LrSchedule(1e-3, 0, 0, 0), 0.01f, true, 0, 0,
                seed);
        try (StudentLoop loop = new StudentLoop(StudentLoopTest.SPEC, o, Device.cpu())) {
            return loop.parameterValues(0, true);
        }
    }

    @Test
    void shouldSeedTheInitialWeights() {
        List<float[]> a = initialWeights(7L);
        List<float[]> b = initialWeights(7L);
        List<float[]> c = initialWeights(8L);
        assertEquals(a.size(), b.size());
        boolean differ = false;
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), 0f, "parameter " + i + " with the same seed");
            differ |= !Arrays.equals(a.get(i), c.get(i));
        }
        assertTrue(differ, "another seed gives other weights");
    }
}
