package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.student.TeacherPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A teacher ensemble end to end: one teacher service runs two teachers and publishes their averaged probabilities
 * with each member's logits; the student weighs the members itself (student.teacher-weights).
 */
class EnsembleIntegrationTest {
    @Test
    void shouldPublishEveryMembersLogitsAndLetTheStudentWeighThem(@TempDir Path tmp) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SmokePipeline.copyShippedTeacher(models.resolve("cnn-a"));
        SmokePipeline.copyShippedTeacher("fashion-cnn16", models.resolve("cnn-b")); // another model: weights matter
        List<AnnotatedBatch> annotated = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models,
                     new SimpleMeterRegistry(), Map.of("student.teacher-weights", "cnn-a=3,cnn-b=1",
                     "pipeline.epochs", "2"))) {
            p.startStudentAnd(p.teacher("cnn-a", Map.of("teacher.ensemble", models.resolve("cnn-b").toString()),
                    new SimpleMeterRegistry()));
            p.startSources();
            p.awaitStudent();
            assertEquals(Demo.producedBatches(p.kafka), p.student.trainedBatches(), "every batch trained once");
            assertEquals(p.student.schedule().totalSteps(), p.student.steps(), "the schedule ends at the last step");
            assertEquals(Map.of("cnn-a+cnn-b@1", (long) p.student.trainedBatches().size()), p.student.teacherBatches());
            TopicReader.forEachBatch(p.kafka, Topic.ANNOTATED, r -> annotated.add(AnnotatedBatch.decode(r.value())));
        }
        assertEquals(2 * 7 * 2, annotated.size());
        for (AnnotatedBatch a : annotated) {
            assertEquals(List.of("cnn-a", "cnn-b"), a.memberIds());
            int n = a.batch().size();
            int k = a.batch().numClasses();
            float[] za = java.util.Arrays.copyOfRange(a.memberLogits(), 0, n * k);
            float[] zb = java.util.Arrays.copyOfRange(a.memberLogits(), n * k, 2 * n * k);
            float[] equal = mixture(za, zb, 0.5, n, k);
            float[] weighted = mixture(za, zb, 0.75, n, k);
            float[] studentTargets = new TeacherPolicy(List.of(), TeacherPolicy.Action.DEAD_LETTER,
                    Map.of("cnn-a", 3.0, "cnn-b", 1.0)).weigh(a.memberIds(), a.memberLogits(), n, k, 1f);
            double apart = 0;
            for (int i = 0; i < n * k; i++) {
                apart = Math.max(apart, Math.abs(equal[i] - weighted[i]));
                // the service publishes the members' equal-weight average of probabilities, as log-probabilities
                assertEquals(equal[i], a.teacherLogits()[i], 1e-4f, "published average, batch " + a.batch().key());
                // the student's own weighting (3:1) is the weighted average, not the service's
                assertEquals(weighted[i], studentTargets[i], 1e-4f, "student.teacher-weights, batch " + a.batch().key());
            }
            assertTrue(apart > 1e-2, "two different teachers: their weighting changes the targets (" + apart + ")");
        }
    }

    /** log(w softmax(a) + (1 - w) softmax(b)), row by row. */
    private static float[] mixture(float[] a, float[] b, double w, int n, int k) {
        float[] out = new float[n * k];
        for (int r = 0; r < n; r++) {
            double[] pa = softmax(a, r * k, k);
            double[] pb = softmax(b, r * k, k);
            for (int j = 0; j < k; j++) {
                out[r * k + j] = (float) Math.log(w * pa[j] + (1 - w) * pb[j]);
            }
        }
        return out;
    }

    private static double[] softmax(float[] z, int off, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, z[off + j]);
        }
        double[] p = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(z[off + j] - max);
            sum += p[j];
        }
        for (int j = 0; j < k; j++) {
            p[j] /= sum;
        }
        return p;
    }
}
