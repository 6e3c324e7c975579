package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.LagProbe;
import io.kdstream.core.kafka.Topic;
import io.kdstream.teacher.StandInTeacher;
import io.kdstream.teacher.TeacherService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bound on every hop: with a teacher ten times slower than the augmenter, the augmented topic stays within
 * augmenter.max-ahead-batches of the teacher's commits; with the student not yet started, the annotated topic stays
 * within teacher.max-ahead-batches of its (empty) commits; then the student catches up and trains every batch once.
 */
class BoundedLagIntegrationTest {
    private static final int AUGMENTER_AHEAD = 6;
    private static final int TEACHER_AHEAD = 5;

    @Test
    void shouldKeepEveryTopicWithinItsBound(@TempDir Path tmp) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SmokePipeline.copyShippedTeacher(models.resolve("a-teacher")); // the student's evaluation teacher
        StandInTeacher.write(models.resolve("slow"), 150, 10); // 150 ms a batch: the augmenter takes ~15
        AtomicLong maxAugmented = new AtomicLong();
        AtomicLong maxAnnotated = new AtomicLong();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models,
                     new SimpleMeterRegistry(), Map.of("pipeline.epochs", "2",
                             "augmenter.max-ahead-batches", Integer.toString(AUGMENTER_AHEAD)));
             Admin admin = Admin.create(p.kafka.admin("lag-test"))) {
            TeacherService teacher = p.teacher("slow", Map.of("teacher.max-ahead-batches",
                    Integer.toString(TEACHER_AHEAD)), new SimpleMeterRegistry());
            teacher.start();
            p.startSources();
            LagProbe augmented = new LagProbe(admin, p.kafka.topic(Topic.AUGMENTED), List.of(p.kafka.group("teacher")));
            LagProbe annotated = new LagProbe(admin, p.kafka.topic(Topic.ANNOTATED), List.of(p.kafka.group("student")));
            long until = System.nanoTime() + 6_000_000_000L; // the student stays away for 6 s
            while (System.nanoTime() < until) {
                sample(augmented, maxAugmented);
                sample(annotated, maxAnnotated);
                Thread.sleep(50);
            }
            assertTrue(maxAnnotated.get() > 0, "the teacher produced while the student was away");
            p.student.start();
            while (!p.student.completion().toFuture().isDone()) {
                sample(augmented, maxAugmented);
                sample(annotated, maxAnnotated);
                Thread.sleep(50);
            }
            p.awaitStudent();
            assertEquals(Demo.producedBatches(p.kafka), p.student.trainedBatches(), "every batch trained once");
        }
        assertTrue(maxAugmented.get() <= AUGMENTER_AHEAD, "augmented topic ahead of the teacher by "
                + maxAugmented.get() + " records, bound " + AUGMENTER_AHEAD);
        assertTrue(maxAnnotated.get() <= TEACHER_AHEAD, "annotated topic ahead of the student by "
                + maxAnnotated.get() + " records, bound " + TEACHER_AHEAD);
        assertTrue(maxAugmented.get() >= AUGMENTER_AHEAD - 2, "the augmenter did run ahead up to its bound: "
                + maxAugmented.get());
    }

    private static void sample(LagProbe probe, AtomicLong max) {
        long lag = probe.endTotal() - probe.slowestCommittedTotal();
        max.accumulateAndGet(lag, Math::max);
    }
}
