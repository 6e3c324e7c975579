package io.kdstream.augmenter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.augmenter.ops.InceptionCrop;
import io.kdstream.augmenter.ops.MixPolicy;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.kafka.WireHeaders;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.TeacherView;
import io.kdstream.core.wire.ViewEncoding;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.loader.dataset.SyntheticImageFolder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loader.ship=encoded}: the loader sends image files as they are and the augmenter decodes them. The views must
 * be exactly those of the decoded path (consistent teaching does not depend on where the decoding happens), and a file
 * that does not decode is dead-lettered by the augmenter, naming it, with nothing else lost.
 */
class EncodedSamplesIntegrationTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static KafkaSettings kafka(String prefix) {
        return KafkaSettings.local(broker.bootstrapServers(), 2).withTopicPrefix(prefix);
    }

    private static void run(KafkaSettings kafka, DatasetSpec data, LoaderConfig.Ship ship, int batch,
                            SimpleMeterRegistry registry) {
        LoaderConfig lc = new LoaderConfig(data, 2, 5, batch, 8, List.of(kafka.group(Augmenter.STAGE)), 64, ship);
        AugmenterConfig ac = new AugmenterConfig(batch, 9, 48, 24, new InceptionCrop(0.35, 1, 0.75, 4.0 / 3), true,
                MixPolicy.funMatch(), 2, List.of(), 16, TeacherView.CONSISTENT, ViewEncoding.UINT8, false);
        try (Loader loader = new Loader(lc, kafka, registry);
             Augmenter augmenter = new Augmenter(ac, kafka, registry)) {
            augmenter.start();
            loader.start();
            loader.completion().block(Duration.ofSeconds(60));
            augmenter.completion().block(Duration.ofSeconds(60));
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(KafkaSettings kafka, Topic topic) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("reader-" + System.nanoTime(),
                "reader"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(kafka.topic(topic)));
            int idle = 0;
            while (idle < 6) {
                int n = 0;
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                    out.add(r);
                    n++;
                }
                idle = n == 0 && !c.assignment().isEmpty() ? idle + 1 : 0;
            }
        }
        return out;
    }

    private static Map<String, AugmentedBatch> batches(KafkaSettings kafka) {
        Map<String, AugmentedBatch> out = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : read(kafka, Topic.AUGMENTED)) {
            var f = FrameCodec.decode(r.value());
            if (f.kind() == RecordKind.AUGMENTED_BATCH) {
                out.put(r.key(), AugmentedBatch.fromFrame(f));
            }
        }
        return out;
    }

    @Test
    void shouldAugmentTheSameViewsFromFilesAsFromPixels(@TempDir Path tmp) {
        SyntheticImageFolder.write(tmp.resolve("img"), 3, 6, 0, 3);
        DatasetSpec data = new DatasetSpec(DatasetSpec.Kind.FOLDER, tmp.resolve("img"), true, 3, 10, 4096, 0, 0);
        run(kafka("dec."), data, LoaderConfig.Ship.DECODED, 4, new SimpleMeterRegistry());
        run(kafka("enc."), data, LoaderConfig.Ship.ENCODED, 4, new SimpleMeterRegistry());
        Map<String, AugmentedBatch> decoded = batches(kafka("dec."));
        Map<String, AugmentedBatch> encoded = batches(kafka("enc."));
        assertEquals(decoded.keySet(), encoded.keySet());
        assertTrue(decoded.size() >= 10, "18 images x 2 epochs in batches of 4 over 2 partitions: " + decoded.size());
        decoded.forEach((k, d) -> {
            AugmentedBatch e = encoded.get(k);
            assertArrayEquals(d.sampleIds(), e.sampleIds(), k);
            assertArrayEquals(d.view().pixels(), e.view().pixels(), k + ": the teacher's view");
            assertArrayEquals(d.studentView().pixels(), e.studentView().pixels(), k + ": the student's view");
        });
    }

    @Test
    void shouldDeadLetterAFileThatDoesNotDecodeInTheAugmenterNamingIt() {
        Path folder = Path.of(System.getProperty("kdstream.testdata", "../testdata")).resolve("folder");
        DatasetSpec data = new DatasetSpec(DatasetSpec.Kind.FOLDER, folder, true, 1, 10, 4096, 0, 0);
        KafkaSettings kafka = kafka("bad.");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        run(kafka, data, LoaderConfig.Ship.ENCODED, 4, registry);

        Set<String> seen = new HashSet<>();
        batches(kafka).forEach((k, b) -> {
            for (long id : b.sampleIds()) {
                assertTrue(seen.add(b.epoch() + ":" + id), "sample " + id + " twice in epoch " + b.epoch());
            }
        });
        assertEquals(24, seen.size(), "the 12 good images arrive once in each of the 2 epochs");
        List<String> dead = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : read(kafka, Topic.DEAD_LETTER)) {
            dead.add(WireHeaders.text(r.headers(), WireHeaders.DLQ_STAGE) + "/"
                    + WireHeaders.text(r.headers(), WireHeaders.DLQ_REASON) + " "
                    + WireHeaders.text(r.headers(), WireHeaders.DLQ_ERROR));
        }
        assertEquals(4, dead.size(), "2 bad files x 2 epochs: " + dead);
        assertTrue(dead.stream().allMatch(d -> d.startsWith("augmenter/CORRUPT_IMAGE")), dead.toString());
        assertTrue(dead.stream().anyMatch(d -> d.contains("corrupt-truncated.png"))
                && dead.stream().anyMatch(d -> d.contains("not-an-image.jpg")), dead.toString());
        assertEquals(4.0, registry.get("kds.dead.letters").tag("stage", "augmenter").tag("reason",
                DeadLetters.Reason.CORRUPT_IMAGE.name().toLowerCase()).counter().count());
    }
}
