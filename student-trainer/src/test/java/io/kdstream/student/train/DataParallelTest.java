package io.kdstream.student.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.wire.View;
import io.kdstream.models.Models;
import io.kdstream.student.Evaluation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

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
    void shouldTakeTheSameStepsOnTwoReplicasAsOnOneDevice() {
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
        // any initialisation: each step starts both runs from the same parameters and optimizer state (copied from
        // the one-device run), so a weight whose gradient is within rounding of zero, which AdamW's first steps move
        // by about lr * sign(gradient) either way when the sum over slices rounds differently from the whole batch,
        // cannot make the runs drift apart over later steps
        try (StudentLoop one = loop(List.of(Device.cpu()));
             StudentLoop two = loop(List.of(Device.cpu(), Device.cpu()))) {
            copyState(one, two);
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
                assertSameUpdate(one.parameterValues(0, true), two.parameterValues(0, true), 3e-3f,
                        "trained parameters after step " + s);
                assertParametersEqual(two.parameterValues(0, false), two.parameterValues(1, false), 0f, "replica after step " + s);
                copyState(one, two);
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

    /** The one-device run's parameters and optimizer state, written into the two-device run (on every replica). */
    private static void copyState(StudentLoop from, StudentLoop to) {
        try {
            ByteArrayOutputStream params = new ByteArrayOutputStream();
            ByteArrayOutputStream optimizer = new ByteArrayOutputStream();
            try (DataOutputStream p = new DataOutputStream(params); DataOutputStream o = new DataOutputStream(optimizer)) {
                from.writeState(p, o);
            }
            to.readState(new DataInputStream(new ByteArrayInputStream(params.toByteArray())),
                    new DataInputStream(new ByteArrayInputStream(optimizer.toByteArray())));
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One step from the same state updated every weight the same: within 1e-4, except weights whose gradient is
     * within rounding of zero, which AdamW may move by up to lr either way (at most 2 lr apart), and which must be
     * rare (under 1 in 200).
     */
    private static void assertSameUpdate(List<float[]> a, List<float[]> b, float lr, String what) {
        assertEquals(a.size(), b.size(), what);
        long n = 0;
        long signFlips = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                float d = Math.abs(a.get(i)[j] - b.get(i)[j]);
                n++;
                if (d > 1e-4f) {
                    assertTrue(d <= 2.1f * lr, what + ", parameter " + i + "[" + j + "] differs by " + d);
                    signFlips++;
                }
            }
        }
        assertTrue(signFlips * 200 < n, what + ": " + signFlips + " of " + n + " weights stepped differently");
    }

    private static void assertParametersEqual(List<float[]> a, List<float[]> b, float tolerance, String what) {
        assertEquals(a.size(), b.size(), what);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), tolerance, what + ", parameter " + i);
        }
    }
}
