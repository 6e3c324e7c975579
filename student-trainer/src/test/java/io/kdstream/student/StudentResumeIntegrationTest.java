package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.augmenter.Augmenter;
import io.kdstream.augmenter.AugmenterConfig;
import io.kdstream.augmenter.ops.InceptionCrop;
import io.kdstream.augmenter.ops.MixPolicy;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.models.Architecture;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.SavedModel;
import io.kdstream.student.train.LrSchedule;
import io.kdstream.student.train.StudentLoop;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trainer stopped after its first checkpoint and a new one resuming from it, on the embedded broker. */
class StudentResumeIntegrationTest {
    static final Path MINI = Path.of(System.getProperty("kdstream.testdata", "../testdata"))
            .resolve("fashion-mnist-mini");

    private static Set<String> producedBatches(KafkaSettings kafka) {
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("audit", "audit"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(kafka.topic(Topic.AUGMENTED)));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (keys.size() < 42 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (!r.key().startsWith("end-")) {
                        keys.add(r.key());
                    }
                }
            }
        }
        return keys;
    }

    /**
     * The divergence guard only warns in these tests: this tiny supervised workload (a 4-channel CNN at a peak learning
     * rate of 1e-2) reached a NaN loss in some runs, on one device or two, from oneDNN's AVX-512 kernels (capped at
     * AVX2 since, FiniteGradientsIntegrationTest); what they check is the resume's bookkeeping, not the loss.
     */
    private static final StudentConfig.Divergence WARN_ONLY = new StudentConfig.Divergence(3,
            DivergenceGuard.Action.WARN);

    /** Loader and augmenter publish 3 epochs of the mini set (42 batches of 32), then stop: the ids published. */
    static Set<String> produce(KafkaSettings kafka) {
        LoaderConfig lc = new LoaderConfig(DatasetSpec.idx(MINI), 3, 1, 32, 16, List.of(kafka.group(Augmenter.STAGE)),
                256);
        AugmenterConfig ac = new AugmenterConfig(32, 7, 28, 28, new InceptionCrop(0.35, 1, 0.75, 4.0 / 3), true,
                MixPolicy.funMatch(), 2, List.of(), 16, io.kdstream.core.wire.TeacherView.CONSISTENT,
                io.kdstream.core.wire.ViewEncoding.FLOAT32, false);
        try (Loader loader = new Loader(lc, kafka, new SimpleMeterRegistry());
             Augmenter augmenter = new Augmenter(ac, kafka, new SimpleMeterRegistry())) {
            augmenter.start();
            loader.start();
            augmenter.completion().block(Duration.ofSeconds(60));
        }
        return producedBatches(kafka);
    }

    @Test
    void shouldResumeFromTheCheckpointTrainingEveryBatchExactlyOnce(@TempDir Path out) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), 2);
            Set<String> produced = produce(kafka);
            assertEquals(42, produced.size(), "400 images, 2 partitions, batches of 32: 7 per partition, 3 epochs");

            ModelSpec spec = new ModelSpec(Architecture.CNN, 4, 1, 10, 1, 28, ModelSpec.FASHION_MEAN,
                    ModelSpec.FASHION_STD);
            StudentConfig config = new StudentConfig(StudentConfig.Mode.SUPERVISED, spec,
                    new StudentLoop.Options(1, 1, 0, new LrSchedule(1e-2, 5, 42, 0), 0.01f, true, 0),
                    DatasetSpec.idx(MINI), 3, 32, out, true, Optional.empty(), "cpu", 1, TeacherPolicy.ANY, WARN_ONLY,
                    StudentConfig.Checkpointing.EPOCH_ENDS);
            Checkpoints checkpoints = new Checkpoints(out);

            // the first trainer stops as soon as it has checkpointed the first epoch, as if it had been killed
            try (StudentTrainer first = new StudentTrainer(config, kafka, new SimpleMeterRegistry())) {
                first.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (checkpoints.latest().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            Path checkpoint = checkpoints.latest().orElseThrow();
            long checkpointStep = Long.parseLong(checkpoint.getFileName().toString().substring(5));
            assertTrue(checkpointStep >= 14 && checkpointStep < 42, "checkpoint after epoch 1: step " + checkpointStep);

            // the second trains data-parallel on two replicas (the CPU twice here): checkpoints do not depend on it
            StudentConfig twoDevices = new StudentConfig(config.mode(), spec, config.options(), config.dataset(), 3, 32,
                    out, true, Optional.empty(), "cpu,cpu", 1, TeacherPolicy.ANY, WARN_ONLY,
                    StudentConfig.Checkpointing.EPOCH_ENDS);
            try (StudentTrainer second = new StudentTrainer(twoDevices, kafka, new SimpleMeterRegistry())) {
                second.start();
                assertEquals(2, second.deviceCount());
                second.completion().block(Duration.ofSeconds(120));
                assertEquals(produced, second.trainedBatches(), "every produced batch trained, none lost");
                assertEquals(0, second.duplicatesSkipped(), "the resumed trainer starts after the checkpoint");
                assertEquals(3, second.history().get(second.history().size() - 1).epoch());
            }
            Map<String, String> info = SavedModel.describe(out.resolve("model")).getValue();
            assertEquals("42", info.get("steps"), "one optimizer step per batch over both trainers");

            // resuming the finished run (compose: KDS_RUN=<that run>) completes at once and trains nothing again
            try (StudentTrainer third = new StudentTrainer(config, kafka, new SimpleMeterRegistry())) {
                third.start();
                third.completion().block(Duration.ofSeconds(30));
                assertEquals(0, third.history().size(), "no epoch evaluated again");
                assertEquals(0, third.duplicatesSkipped());
            }
            assertEquals("42", SavedModel.describe(out.resolve("model")).getValue().get("steps"),
                    "the final model is left as it was");
        }
    }

    @Test
    void shouldResumeMidEpochAtTheCheckpointsStepTrainingEveryBatchExactlyOnce(@TempDir Path out) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), 2);
            Set<String> produced = produce(kafka);
            ModelSpec spec = new ModelSpec(Architecture.CNN, 4, 1, 10, 1, 28, ModelSpec.FASHION_MEAN,
                    ModelSpec.FASHION_STD);
            StudentConfig base = new StudentConfig(StudentConfig.Mode.SUPERVISED, spec,
                    new StudentLoop.Options(1, 1, 0, new LrSchedule(1e-2, 5, 42, 0), 0.01f, true, 0),
                    DatasetSpec.idx(MINI), 3, 32, out, true, Optional.empty(), "cpu", 1, TeacherPolicy.ANY);
            StudentConfig config = new StudentConfig(base.mode(), spec, base.options(), base.dataset(), 3, 32, out,
                    true, Optional.empty(), "cpu", 1, TeacherPolicy.ANY, WARN_ONLY, new StudentConfig.Checkpointing(4, 0));
            Checkpoints checkpoints = new Checkpoints(out);

            // killed (stopped without an end) once it has a checkpoint inside the first epoch (14 steps)
            try (StudentTrainer first = new StudentTrainer(config, kafka, new SimpleMeterRegistry())) {
                first.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (checkpoints.latest().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            }
            Path checkpoint = checkpoints.latest().orElseThrow();
            Checkpoints.State st;
            try (StudentLoop probe = new StudentLoop(spec, base.options(), ai.djl.Device.cpu())) {
                st = checkpoints.restore(checkpoint, probe);
            }
            assertTrue(st.step() % 4 == 0 && st.step() % 14 != 0, "a checkpoint between epoch ends: step " + st.step());
            assertEquals(st.step(), TrainedJournal.read(out, st.journalBytes()).size(),
                    "its journal of trained ids is in step with its weights");

            try (StudentTrainer second = new StudentTrainer(config, kafka, new SimpleMeterRegistry())) {
                second.start();
                second.completion().block(Duration.ofSeconds(120));
                assertEquals(produced, second.trainedBatches(), "every produced batch trained, none lost");
            }
            assertEquals("42", SavedModel.describe(out.resolve("model")).getValue().get("steps"),
                    "one optimizer step per batch: the resumed run continued at the checkpoint's step");
        }
    }
}
