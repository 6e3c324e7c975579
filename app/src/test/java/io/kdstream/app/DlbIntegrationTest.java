package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.MetricNames;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AugmentedBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DLB end to end on the embedded broker: the augmenter builds batches whose first half repeats, freshly augmented,
 * the second half of the partition's previous batch, and the student trains with CE plus KD towards its own
 * predictions on those samples from the step before.
 */
class DlbIntegrationTest {
    private static final int BATCH = 32;
    private static final int HALF = BATCH / 2;
    private static final int EPOCHS = 3;

    @Test
    void shouldRepeatTheLastHalfBatchAndDistilFromThePreviousStep(@TempDir Path tmp) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SmokePipeline.copyShippedTeacher(models.resolve("fashion-cnn32"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<AugmentedBatch> batches = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models, registry,
                     Map.of("preset", "dlb", "student.mode", "dlb", "augment.dlb", "true", "augment.mix", "none",
                             // the preset's 2e-3 is for full runs: 78 steps at it left the student at 0.24..0.40
                             "student.lr", "1e-2",
                             "augmenter.feeds", "kds.student", "pipeline.epochs", Integer.toString(EPOCHS),
                             "pipeline.batch-size", Integer.toString(BATCH)))) {
            p.startStudentAnd();
            p.startSources();
            p.awaitStudent();
            assertEquals(Demo.producedBatches(p.kafka), p.student.trainedBatches(), "every batch trained once");
            assertEquals(p.student.schedule().totalSteps(), p.student.steps(), "the learning-rate schedule ends at "
                    + "the last step: DLB batches hold half as many new samples, so there are twice as many");
            assertTrue(p.student.history().get(p.student.history().size() - 1).studentTop1() > 0.2,
                    "the student learns: " + p.student.history());
            assertTrue(registry.get(MetricNames.STUDENT_LOSS_KD).gauge().value() > 0, "the KD term is in use");
            TopicReader.forEachBatch(p.kafka, Topic.AUGMENTED, r -> batches.add(AugmentedBatch.decode(r.value())));
        }
        // 200 images per partition and epoch, 16 new per batch: 13 batches, the first without a repeated half
        Map<String, List<AugmentedBatch>> streams = new TreeMap<>();
        batches.forEach(b -> streams.computeIfAbsent(b.epoch() + "/" + b.partition(), k -> new ArrayList<>()).add(b));
        assertEquals(EPOCHS * 2, streams.size());
        int repeated = 0;
        int freshCrops = 0;
        for (List<AugmentedBatch> s : streams.values()) {
            s.sort(Comparator.comparingLong(AugmentedBatch::seq));
            assertEquals(13, s.size());
            assertEquals(HALF, s.get(0).size(), "the first batch of an epoch has no predecessor");
            for (int t = 1; t < s.size(); t++) {
                AugmentedBatch prev = s.get(t - 1);
                AugmentedBatch cur = s.get(t);
                long[] prevNew = Arrays.copyOfRange(prev.sampleIds(), prev.size() - HALF, prev.size());
                long[] curFirst = Arrays.copyOfRange(cur.sampleIds(), 0, HALF);
                assertTrue(Arrays.equals(prevNew, curFirst), "batch " + cur.key() + " starts with the new half of "
                        + prev.key());
                for (int i = 0; i < HALF; i++) {
                    int a = prev.size() - HALF + i;
                    boolean same = Arrays.equals(Arrays.copyOfRange(prev.cropBoxes(), 4 * a, 4 * a + 4),
                            Arrays.copyOfRange(cur.cropBoxes(), 4 * i, 4 * i + 4)) && prev.flips()[a] == cur.flips()[i];
                    freshCrops += same ? 0 : 1;
                    repeated++;
                }
            }
        }
        assertTrue(freshCrops > 0.9 * repeated, freshCrops + " of " + repeated + " repeated samples re-augmented");
    }
}
