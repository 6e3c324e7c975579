package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code teacher.top-k=3} end to end on a real broker: the teacher service publishes each image's three largest
 * logits, their classes and the mass of the rest instead of all ten, and the student distils from them.
 */
class TopKIntegrationTest {
    @Test
    void shouldDistilFromTheTopKLogits(@TempDir Path tmp) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SmokePipeline.copyShippedTeacher(models.resolve("a-teacher"));
        List<byte[]> annotated = new ArrayList<>();
        long trained;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models,
                     new SimpleMeterRegistry(), Map.of("pipeline.epochs", "2"))) {
            p.startStudentAnd(p.teacher("a-teacher", Map.of("teacher.top-k", "3"), new SimpleMeterRegistry()));
            p.startSources();
            p.awaitStudent();
            trained = p.student.trainedBatches().size();
            TopicReader.forEachBatch(p.kafka, Topic.ANNOTATED, r -> annotated.add(r.value()));
        }
        assertEquals(28, trained, "every batch distilled");
        assertEquals(28, annotated.size());
        for (byte[] v : annotated) {
            Frame f = FrameCodec.decode(v);
            assertNull(f.optionalTensor("teacher_logits"), "not every logit");
            assertEquals(3, f.tensor("teacher_topk_class").dim(1));
            AnnotatedBatch a = AnnotatedBatch.fromFrame(f);
            assertEquals(3, a.topK());
            for (float z : a.teacherLogits()) {
                assertTrue(Float.isFinite(z));
            }
        }
    }
}
