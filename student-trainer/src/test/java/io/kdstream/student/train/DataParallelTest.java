package io.kdstream.student.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.wire.View;
import io.kdstream.models.Models;
import io.kdstream.student.Evaluation;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The student on several devices: two replicas (on the CPU twice, as this machine has no GPU) take the same step as
 * one model on the whole batch. Batch norm normalises each slice by its own statistics, so the batch is 25 images
 * followed by the same 25 in reverse order: both slices then have the whole batch's statistics, and the rows still
 * differ, so a mix-up of slices shows.
 */
class DataParallelTest {
    private static final int K = 10;

    private static StudentLoop loop(List<Device> devices) {
        return new StudentLoop(StudentLoopTest.SPEC, new StudentLoop.Options(2, 1, 1, new LrSchedule(3e-3, 0, 0, 0),
                0.01f, true, 5f), devices);
    }

    /** 25 images then the same 25 reversed. */
    private static View mirrored(View v) {
        int n = 25;
        int size = v.imageSize();
        float[] px = new float[2 * n * size];
        System.arraycopy(v.pixels(), 0, px, 0, n * size);
        for (int i = 0; i < n; i++) {
            System.arraycopy(v.pixels(), i * size, px, (2 * n - 1 - i) * size, size);
        }
        return new View(2 * n, v.height(), v.width(), v.channels(), px);
    }

    private static float[] random(Random r, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian() * 2;
        }
        return out;
    }

    @Test
    void shouldTakeTheSameStepsOnTwoReplicasAsOnOneDevice(@TempDir Path tmp) {
        Evaluation.Split train = StudentLoopTest.mini(true);
        View batch = mirrored(train.images()[0]);
        Random rnd = new Random(7);
        float[] targets = new float[50 * K];
        for (int i = 0; i < 50; i++) {
            targets[i * K + rnd.nextInt(K)] = 1;
        }
        float[] teacher = random(rnd, 50 * K);
        float[] mask = new float[50];
        java.util.Arrays.fill(mask, 0, 30, 1f); // all of slice 0 and 5 rows of slice 1
        // a fixed initialisation: AdamW's first steps move a weight by about lr * sign(gradient), so a weight whose
        // gradient is within rounding of zero may step either way when the sum over slices rounds differently from
        // the whole batch, and the runs drift apart from there; unseeded, 2 of 12 initialisations tried did that
        // (seeds 1 and 10; 11 does not)
        ai.djl.engine.Engine.getEngine(Models.ENGINE).setRandomSeed(11);
        try (StudentLoop one = loop(List.of(Device.cpu()));
             StudentLoop two = loop(List.of(Device.cpu(), Device.cpu()))) {
            one.saveCheckpoint(tmp);
            two.loadCheckpoint(tmp);
            assertEquals(2, two.deviceCount());
            assertParametersEqual(one.parameterValues(0, false), two.parameterValues(1, false), 0f, "replica after restore");
            for (int s = 0; s < 4; s++) {
                float[] kd = s == 3 ? null : teacher; // KD + CE, KD + CE, masked KD (DLB) + CE, supervised
                float[] m = s == 2 ? mask : null;
                StudentLoop.StepResult a = one.step(batch, targets, kd, m);
                StudentLoop.StepResult b = two.step(batch, targets, kd, m);
                assertEquals(a.loss(), b.loss(), 1e-4, "loss of step " + s);
                assertEquals(a.ce(), b.ce(), 1e-4, "CE of step " + s);
                assertEquals(a.kd(), b.kd(), 1e-4, "KD of step " + s);
                assertEquals(a.gradNorm(), b.gradNorm(), 1e-3 * a.gradNorm(), "summed gradient of step " + s);
                assertArrayEquals(a.logits(), b.logits(), 1e-4f, "logits of step " + s + " in batch order");
                // running statistics differ slightly: the unbiased variance of 25 rows is not that of 50
                assertParametersEqual(one.parameterValues(0, true), two.parameterValues(0, true), 1e-4f,
                        "trained parameters after step " + s);
                assertParametersEqual(two.parameterValues(0, false), two.parameterValues(1, false), 0f, "replica after step " + s);
            }
            // a batch smaller than the device count leaves the second replica idle, and it still follows
            View single = new View(1, batch.height(), batch.width(), 1, java.util.Arrays.copyOf(batch.pixels(),
                    batch.imageSize()));
            StudentLoop.StepResult r = two.step(single, java.util.Arrays.copyOf(targets, K), null);
            assertEquals(1 * K, r.logits().length);
            assertParametersEqual(two.parameterValues(0, false), two.parameterValues(1, false), 0f, "replica after a 1-image step");
        }
    }

    @Test
    void shouldParseDeviceLists() {
        assertEquals(List.of(Device.cpu(), Device.cpu()), Models.devices("cpu, cpu"));
        assertEquals(List.of(Device.cpu()), Models.devices("gpus"), "no GPU here: gpus means the CPU");
        ConfigException e = assertThrows(ConfigException.class, () -> Models.devices("cpu,,cpu"));
        assertEquals(true, e.getMessage().contains("gpu:0,gpu:1"), e.getMessage());
        assertThrows(ConfigException.class, () -> Models.devices("gpu:1"));
    }

    private static void assertParametersEqual(List<float[]> a, List<float[]> b, float tolerance, String what) {
        assertEquals(a.size(), b.size(), what);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), tolerance, what + ", parameter " + i);
        }
    }
}
