package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.MetricNames;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.models.Architecture;
import io.kdstream.models.ModelSpec;
import io.kdstream.student.train.LrSchedule;
import io.kdstream.student.train.StudentLoop;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code student.on-divergence=rollback} on a real broker: a learning rate so high that the loss is not finite after
 * one step, rolled back to the initial checkpoint with the rate scaled down to one that learns; the stream goes on,
 * nothing is lost, and the run says what it did.
 */
class RollbackIntegrationTest {
    @Test
    void shouldRollBackADivergedRunAndFinishItAtTheScaledRate(@TempDir Path out) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), 2);
            Set<String> produced = StudentResumeIntegrationTest.produce(kafka);
            ModelSpec spec = new ModelSpec(Architecture.CNN, 4, 1, 10, 1, 28, ModelSpec.FASHION_MEAN,
                    ModelSpec.FASHION_STD);
            // a peak of 1e20 overflows the weights at the first step; one roll-back scales it to 1e-2, the rate StudentResumeIntegrationTest trains at
            StudentConfig config = new StudentConfig(StudentConfig.Mode.SUPERVISED, spec,
                    new StudentLoop.Options(1, 1, 0, new LrSchedule(1e20, 5, 42, 0), 0.01f, true, 0),
                    DatasetSpec.idx(StudentResumeIntegrationTest.MINI), 3, 32, out, true, Optional.empty(), "cpu", 1,
                    TeacherPolicy.ANY, new StudentConfig.Divergence(3, 0.2, DivergenceGuard.Action.ROLLBACK, 1e-22, 1),
                    StudentConfig.Checkpointing.EPOCH_ENDS);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (StudentTrainer trainer = new StudentTrainer(config, kafka, registry)) {
                trainer.start();
                trainer.completion().block(Duration.ofSeconds(120));
                assertEquals(produced, trainer.trainedBatches(), "the stream went on: every batch trained once");
                assertEquals(42, trainer.steps());
                double top1 = trainer.history().get(trainer.history().size() - 1).studentTop1();
                // a student with NaN weights predicts one class for every image: 10% on this set; the same run at a
                // peak of 1e-2 without a divergence ends at about 23% (42 steps of a 4-channel CNN under mixup)
                assertTrue(top1 > 0.17, "the rolled-back student learns at the scaled rate: top-1 " + top1);
            }
            assertEquals(1, registry.get(MetricNames.STUDENT_ROLLBACKS).counter().count());
            assertTrue(registry.get(MetricNames.STUDENT_DIVERGENCES).counter().count() >= 1);
            Properties summary = new Properties();
            try (Reader r = Files.newBufferedReader(out.resolve("summary.properties"))) {
                summary.load(r);
            }
            assertEquals("1", summary.getProperty("rollbacks"));
        }
    }
}
