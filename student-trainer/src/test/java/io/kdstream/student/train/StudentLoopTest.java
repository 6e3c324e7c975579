package io.kdstream.student.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.kdstream.core.wire.View;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.models.Architecture;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.Network;
import io.kdstream.student.Checkpoints;
import io.kdstream.student.Evaluation;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudentLoopTest {
    static final ModelSpec SPEC = new ModelSpec(Architecture.CNN, 8, 1, 10, 1, 28, ModelSpec.FASHION_MEAN,
            ModelSpec.FASHION_STD);

    static Evaluation.Split mini(boolean train) {
        Path dir = Path.of(System.getProperty("kdstream.testdata", "../testdata")).resolve("fashion-mnist-mini");
        return Evaluation.load(DatasetSpec.idx(dir).open(train), 28, 50);
    }

    private static float[] onehot(int[] labels, int from, int n) {
        float[] t = new float[n * 10];
        for (int i = 0; i < n; i++) {
            t[i * 10 + labels[from + i]] = 1;
        }
        return t;
    }

    private static StudentLoop loop() {
        return new StudentLoop(SPEC, new StudentLoop.Options(1, 1, 0, new LrSchedule(3e-3, 5, 0, 0), 0.01f, true, 1f),
                Device.cpu());
    }

    @Test
    void shouldLearnFashionMnistAndResumeFromCheckpointExactly(@TempDir Path tmp) {
        Evaluation.Split train = mini(true);
        Evaluation.Split test = mini(false);
        double first = 0;
        double last = 0;
        try (StudentLoop loop = loop()) {
            for (int epoch = 0; epoch < 6; epoch++) {
                double sum = 0;
                for (int b = 0; b < train.images().length; b++) {
                    View v = train.images()[b];
                    StudentLoop.StepResult r = loop.step(v, onehot(train.labels(), b * 50, v.count()), null);
                    assertTrue(Float.isFinite(r.loss()));
                    sum += r.loss();
                }
                if (epoch == 0) {
                    first = sum / train.images().length;
                }
                last = sum / train.images().length;
            }
            assertTrue(last < first * 0.8, "loss fell from " + first + " to " + last);
            double top1 = Evaluation.top1(Evaluation.logits(loop, test), test.labels(), 10);
            // the initialisation is not seeded, so top-1 varies from run to run; 2.5 times chance is a wide margin
            assertTrue(top1 > 0.25, "48 steps on 400 images beat 10% chance by far: " + top1);
            assertEquals(48, loop.steps());

            Checkpoints checkpoints = new Checkpoints(tmp);
            Path ckpt = checkpoints.save(loop, Checkpoints.State.initial(loop.steps()));
            java.util.Map<String, float[][]> moments = loop.optimizer().moments();
            loop.saveModel(tmp.resolve("model"), Map.of("top1", Double.toString(top1)));
            float[] before = loop.logits(test.images()[0]);
            try (Network saved = Network.load(tmp.resolve("model"), Device.cpu())) {
                assertArrayEquals(before, saved.logits(test.images()[0]), 1e-5f, "the saved model predicts as trained");
            }
            StudentLoop.StepResult next = loop.step(train.images()[0], onehot(train.labels(), 0, 50), null);

            try (StudentLoop resumed = loop()) {
                assertEquals(48, checkpoints.restore(ckpt, resumed).step());
                assertEquals(48, resumed.steps());
                java.util.Map<String, float[][]> restored = resumed.optimizer().moments();
                assertEquals(moments.keySet(), restored.keySet());
                for (String k : moments.keySet()) {
                    assertArrayEquals(moments.get(k)[0], restored.get(k)[0], 0f, "first moment of " + k);
                    assertArrayEquals(moments.get(k)[1], restored.get(k)[1], 0f, "second moment of " + k);
                }
                assertArrayEquals(before, resumed.logits(test.images()[0]), 1e-5f);
                StudentLoop.StepResult again = resumed.step(train.images()[0], onehot(train.labels(), 0, 50), null);
                assertEquals(next.loss(), again.loss(), 1e-5, "same params, same optimizer state, same step");
                assertEquals(next.learningRate(), again.learningRate(), 0);
                assertEquals(next.gradNorm(), again.gradNorm(), 1e-4 * next.gradNorm(), "gradients start from zero each step");
                assertArrayEquals(loop.logits(test.images()[1]), resumed.logits(test.images()[1]), 1e-4f,
                        "the step after resuming updates exactly as the uninterrupted one");
            }
            try (Network saved = Network.load(tmp.resolve("model"), Device.cpu())) {
                assertEquals(SPEC, saved.spec());
                assertArrayEquals(before, saved.logits(test.images()[0]), 1e-5f,
                        "the model on disk is the one saved, whatever the loop trained after it");
                assertEquals(Double.toString(top1), saved.info().get("top1"));
            }
        }
    }

    @Test
    void shouldRollBackToACheckpointAtTheCurrentStepWithAScaledRateAndKeepItInTheNextCheckpoint(@TempDir Path tmp) {
        Evaluation.Split train = mini(true);
        Checkpoints checkpoints = new Checkpoints(tmp);
        try (StudentLoop loop = loop()) {
            for (int b = 0; b < 4; b++) {
                loop.step(train.images()[b], onehot(train.labels(), b * 50, 50), null);
            }
            Path good = checkpoints.save(loop, Checkpoints.State.initial(loop.steps()));
            float[] atCheckpoint = loop.logits(train.images()[0]);
            for (int b = 4; b < 8; b++) {
                loop.step(train.images()[b], onehot(train.labels(), b * 50, 50), null);
            }
            double rate = loop.step(train.images()[0], onehot(train.labels(), 0, 50), null).learningRate();
            assertEquals(9, loop.steps());

            checkpoints.rollBack(good, loop, 0.5);
            assertArrayEquals(atCheckpoint, loop.logits(train.images()[0]), 0f, "the checkpoint's weights");
            assertEquals(9, loop.steps(), "the step stays: the schedule goes on from where the stream is");
            assertEquals(1, loop.rollbacks());
            assertEquals(0.5, loop.rateScale());
            StudentLoop.StepResult next = loop.step(train.images()[1], onehot(train.labels(), 50, 50), null);
            assertEquals(new LrSchedule(3e-3, 5, 0, 0).rate(9) * 0.5, next.learningRate(), 1e-12,
                    "half the schedule's rate (it was " + rate + " a step before)");

            checkpoints.rollBack(good, loop, 0.5);
            assertEquals(2, loop.rollbacks());
            assertEquals(0.25, loop.rateScale(), "scales compound");
            Path after = checkpoints.save(loop, Checkpoints.State.initial(loop.steps()));
            try (StudentLoop resumed = loop()) {
                checkpoints.restore(after, resumed);
                assertEquals(2, resumed.rollbacks(), "a resumed run counts the roll-backs before it");
                assertEquals(0.25, resumed.rateScale());
                assertEquals(10, resumed.steps());
            }
            try (StudentLoop resumed = loop()) {
                checkpoints.restore(good, resumed);
                assertEquals(0, resumed.rollbacks());
                assertEquals(1, resumed.rateScale());
            }
        }
    }

    @Test
    void shouldKeepTheBestEvaluationsCheckpointBesideTheTwoNewest(@TempDir Path tmp) {
        Checkpoints checkpoints = new Checkpoints(tmp);
        try (StudentLoop loop = loop()) {
            assertTrue(checkpoints.best().isEmpty());
            assertTrue(checkpoints.bestTop1().isEmpty());
            Path s0 = checkpoints.save(loop, Checkpoints.State.initial(0));
            Path s1 = checkpoints.save(loop, Checkpoints.State.initial(1));
            checkpoints.markBest(s1, 0.69);
            Path s2 = checkpoints.save(loop, Checkpoints.State.initial(2));
            Path s3 = checkpoints.save(loop, Checkpoints.State.initial(3));
            assertEquals(java.util.Optional.of(s1), checkpoints.best());
            assertEquals(0.69, checkpoints.bestTop1().getAsDouble());
            assertTrue(java.nio.file.Files.isDirectory(s1), "the best is kept");
            assertTrue(!java.nio.file.Files.exists(s0), "older ones are not");
            assertTrue(java.nio.file.Files.isDirectory(s2) && java.nio.file.Files.isDirectory(s3));
            assertEquals(java.util.Optional.of(s3), checkpoints.latest());
            checkpoints.markBest(s3, 0.70);
            assertTrue(!java.nio.file.Files.exists(s1), "a better one replaces it");
            assertEquals(java.util.Optional.of(s3), checkpoints.best());
            checkpoints.clear();
            assertTrue(checkpoints.latest().isEmpty() && checkpoints.best().isEmpty()
                    && checkpoints.bestTop1().isEmpty(), "a run that starts afresh keeps none of another run's");
        }
    }

    @Test
    void shouldSkipTheUpdateOfAStepWhoseGradientsAreNotFinite() {
        Evaluation.Split train = mini(true);
        try (StudentLoop loop = loop()) {
            loop.step(train.images()[0], onehot(train.labels(), 0, 50), null);
            float[] before = loop.logits(train.images()[1]);
            java.util.Map<String, float[][]> moments = loop.optimizer().moments();
            View v = train.images()[2];
            float[] poisoned = v.pixels().clone();
            poisoned[7] = Float.NaN;
            StudentLoop.StepResult r = loop.step(new View(v.count(), v.height(), v.width(), v.channels(), poisoned),
                    onehot(train.labels(), 100, 50), null);
            assertTrue(r.skipped(), "gradient norm " + r.gradNorm());
            assertEquals(2, loop.steps(), "the schedule moves on with the stream");
            assertArrayEquals(before, loop.logits(train.images()[1]), 0f, "the weights are as they were");
            java.util.Map<String, float[][]> after = loop.optimizer().moments();
            for (String k : moments.keySet()) {
                assertArrayEquals(moments.get(k)[1], after.get(k)[1], 0f, "no NaN or infinity in the moments of " + k);
            }
            StudentLoop.StepResult next = loop.step(train.images()[3], onehot(train.labels(), 150, 50), null);
            assertTrue(!next.skipped() && Float.isFinite(next.loss()), "the next step trains: " + next.loss());
            assertTrue(!java.util.Arrays.equals(before, loop.logits(train.images()[1])), "and updates the weights");
        }
    }
}
