package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AnnotatedBatch;
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
        SmokePipeline.copyShippedTeacher(models.resolve("cnn-b"));
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
            assertEquals(Map.of("cnn-a+cnn-b@1", (long) p.student.trainedBatches().size()), p.student.teacherBatches());
            TopicReader.forEachBatch(p.kafka, Topic.ANNOTATED, r -> annotated.add(AnnotatedBatch.decode(r.value())));
        }
        assertEquals(2 * 7 * 2, annotated.size());
        for (AnnotatedBatch a : annotated) {
            assertEquals(List.of("cnn-a", "cnn-b"), a.memberIds());
            int nk = a.batch().size() * a.batch().numClasses();
            // two copies of one teacher: each member's logits are the same, and the average is their log-softmax
            for (int i = 0; i < nk; i++) {
                assertEquals(a.memberLogits()[i], a.memberLogits()[nk + i], 1e-4f);
            }
            double sum = 0;
            for (int j = 0; j < a.batch().numClasses(); j++) {
                sum += Math.exp(a.teacherLogits()[j]);
            }
            assertTrue(Math.abs(sum - 1) < 1e-4, "published logits are log-probabilities: " + sum);
        }
    }
}
