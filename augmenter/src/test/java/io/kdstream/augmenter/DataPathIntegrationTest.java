package io.kdstream.augmenter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.augmenter.ops.InceptionCrop;
import io.kdstream.augmenter.ops.MixPolicy;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.image.BatchRenderer;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.kafka.TopicAdmin;
import io.kdstream.core.kafka.WireHeaders;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.loader.dataset.SyntheticImageFolder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loader -> augmenter -> a plain KafkaConsumer, on the real embedded broker, with the shipped test data; with pixels
 * on the wire, and with the files on the wire decoded by the augmenter ({@code loader.ship=encoded}).
 */
class DataPathIntegrationTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static Path testdata() {
        return Path.of(System.getProperty("kdstream.testdata", "../testdata"));
    }

    private static KafkaSettings kafka(String prefix, int partitions) {
        KafkaSettings k = KafkaSettings.local(broker.bootstrapServers(), partitions);
        return new KafkaSettings(k.bootstrapServers(), prefix, partitions, (short) 1, k.maxRecordBytes(),
                k.sendTimeout(), prefix + "client", Map.of());
    }

    private static AugmenterConfig augmenterConfig(int batch, int teacher, int student) {
        return new AugmenterConfig(batch, 7, teacher, student, new InceptionCrop(0.35, 1, 0.75, 4.0 / 3), true,
                MixPolicy.funMatch(), 2, List.of(), 16, io.kdstream.core.wire.TeacherView.CONSISTENT,
                io.kdstream.core.wire.ViewEncoding.FLOAT32, false);
    }

    private static void runPipeline(KafkaSettings kafka, LoaderConfig loaderConfig, AugmenterConfig augConfig,
                                    SimpleMeterRegistry registry) {
        try (Loader loader = new Loader(loaderConfig, kafka, registry);
             Augmenter augmenter = new Augmenter(augConfig, kafka, registry)) {
            augmenter.start();
            loader.start();
            loader.completion().block(Duration.ofSeconds(60));
            augmenter.completion().block(Duration.ofSeconds(60));
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaSettings kafka, Topic topic, int expected) {
        Map<String, Object> props = kafka.consumer("reader-" + System.nanoTime(), "reader");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(kafka.topic(topic)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // anything beyond the expected count would be a duplicate: read a little longer to catch it
            c.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }

    @Test
    void shouldStreamIdxImagesThroughLoaderAndAugmenterExactlyOncePerEpoch() {
        KafkaSettings kafka = kafka("idx.", 2);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LoaderConfig lc = new LoaderConfig(DatasetSpec.idx(testdata().resolve("fashion-mnist-mini")), 2, 1, 32, 8,
                List.of(kafka.group(Augmenter.STAGE)), 256);
        runPipeline(kafka, lc, augmenterConfig(32, 28, 28), registry);

        // 400 images on 2 partitions = 200 per partition = 7 batches (6 x 32 + 8) each, per epoch; plus markers
        List<ConsumerRecord<String, byte[]>> records = readAll(kafka, Topic.AUGMENTED, 2 * 2 * 7 + 2 * 2);
        assertEquals(32, records.size());
        Map<Integer, List<Long>> idsByEpoch = new HashMap<>();
        Set<String> keys = new HashSet<>();
        int markers = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            DocumentedDecoder.Decoded d = DocumentedDecoder.decode(r.value());
            assertEquals(1, d.version());
            assertTrue(keys.add(r.key()), "duplicate record key " + r.key());
            if (d.kind() == 2) {
                markers++;
                assertEquals("EPOCH_END", WireHeaders.text(r.headers(), WireHeaders.KIND));
                assertEquals("augmenter", d.props().get("stage"));
                assertEquals(200L, d.props().get("samples"));
                assertEquals(7L, d.props().get("batches"));
                assertEquals(d.epoch() == 1 ? 1L : 0L, d.props().get("last"));
                continue;
            }
            assertEquals(3, d.kind());
            assertEquals("AUGMENTED_BATCH", WireHeaders.text(r.headers(), WireHeaders.KIND));
            assertEquals("e" + d.epoch() + "-p" + d.partition() + "-b" + d.id(), r.key());
            assertEquals(r.partition(), d.partition());
            DocumentedDecoder.Tensor ids = d.tensors().get("sample_id");
            DocumentedDecoder.Tensor view = d.tensors().get("view");
            int n = ids.shape()[0];
            assertEquals(3, ids.dtype());
            assertEquals(4, view.dtype());
            assertArrayEquals(new int[] {n, 28, 28, 1}, view.shape());
            assertEquals(d.props().get("view_crc32c"), view.crc32c());
            for (float v : view.floats()) {
                assertTrue(v >= 0 && v <= 255.0001, "pixel out of range: " + v);
            }
            float[] lambda = d.tensors().get("lambda").floats();
            float[] target = d.tensors().get("target").floats();
            for (int i = 0; i < n; i++) {
                assertTrue(lambda[i] >= 0.5f && lambda[i] <= 1f);
                float sum = 0;
                for (int k = 0; k < 10; k++) {
                    sum += target[i * 10 + k];
                }
                assertEquals(1f, sum, 1e-5, "labelled mixed targets sum to one");
            }
            for (long id : ids.longs()) {
                idsByEpoch.computeIfAbsent(d.epoch(), e -> new ArrayList<>()).add(id);
            }
        }
        assertEquals(4, markers);
        for (int e = 0; e < 2; e++) {
            List<Long> ids = idsByEpoch.get(e);
            assertEquals(400, ids.size(), "every image once in epoch " + e);
            assertEquals(400, new HashSet<>(ids).size(), "no image twice in epoch " + e);
            assertTrue(ids.stream().allMatch(id -> id >= 0 && id < 400));
        }
        assertTrue(!idsByEpoch.get(0).equals(idsByEpoch.get(1)), "each epoch is shuffled anew");
        assertEquals(800, registry.get("kds.stage.images").tag("stage", "augmenter").counter().count());
        assertEquals(800, registry.get("kds.stage.images").tag("stage", "loader").counter().count());
    }

    @Test
    void shouldDeadLetterCorruptFilesAndMalformedRecordsAndLoseNothingElse() throws Exception {
        KafkaSettings kafka = kafka("folder.", 1);
        try (Admin admin = Admin.create(kafka.admin("test"))) {
            TopicAdmin.ensureTopics(admin, kafka, Topic.values());
        }
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(kafka.producer("test"), new StringSerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(kafka.topic(Topic.SAMPLES), 0, "garbage", "not a kdstream record".getBytes()))
                    .get();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DatasetSpec folder = new DatasetSpec(DatasetSpec.Kind.FOLDER, testdata().resolve("folder"), true, 1, 10, 4096,
                0, 0);
        LoaderConfig lc = new LoaderConfig(folder, 1, 3, 4, 8, List.of(kafka.group(Augmenter.STAGE)), 16);
        runPipeline(kafka, lc, augmenterConfig(4, 32, 16), registry);

        List<ConsumerRecord<String, byte[]>> batches = readAll(kafka, Topic.AUGMENTED, 3 + 1);
        Set<Long> ids = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : batches) {
            DocumentedDecoder.Decoded d = DocumentedDecoder.decode(r.value());
            if (d.kind() != 3) {
                continue;
            }
            int n = d.tensors().get("sample_id").shape()[0];
            assertArrayEquals(new int[] {n, 32, 32, 1}, d.tensors().get("view").shape());
            assertArrayEquals(new int[] {n, 16, 16, 1}, d.tensors().get("student_view").shape());
            assertEquals(d.props().get("student_view_crc32c"), d.tensors().get("student_view").crc32c());
            for (long id : d.tensors().get("sample_id").longs()) {
                assertTrue(ids.add(id));
            }
        }
        assertEquals(12, ids.size(), "all 12 good images arrive, once");

        List<ConsumerRecord<String, byte[]>> dead = readAll(kafka, Topic.DEAD_LETTER, 3);
        assertEquals(3, dead.size());
        Map<String, String> reasons = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : dead) {
            reasons.put(WireHeaders.text(r.headers(), WireHeaders.DLQ_SOURCE),
                    WireHeaders.text(r.headers(), WireHeaders.DLQ_STAGE) + "/"
                            + WireHeaders.text(r.headers(), WireHeaders.DLQ_REASON));
            assertTrue(!WireHeaders.text(r.headers(), WireHeaders.DLQ_ERROR).isBlank());
        }
        assertEquals("augmenter/BAD_RECORD", reasons.get("folder.samples-0@0"), reasons.toString());
        assertEquals(2, reasons.entrySet().stream().filter(e -> e.getValue().equals("loader/CORRUPT_IMAGE")
                && (e.getKey().endsWith("corrupt-truncated.png") || e.getKey().endsWith("not-an-image.jpg"))).count(),
                reasons.toString());
        assertEquals(2.0, registry.get("kds.dead.letters").tag("stage", "loader").tag("reason",
                DeadLetters.Reason.CORRUPT_IMAGE.name().toLowerCase()).counter().count());
    }

    private static Map<String, AugmentedBatch> batches(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, AugmentedBatch> out = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Frame f = FrameCodec.decode(r.value());
            if (f.kind() == RecordKind.AUGMENTED_BATCH) {
                out.put(r.key(), AugmentedBatch.fromFrame(f));
            }
        }
        return out;
    }

    private static LoaderConfig twoEpochs(KafkaSettings kafka, DatasetSpec data, LoaderConfig.Ship ship) {
        return new LoaderConfig(data, 2, 5, 4, 8, List.of(kafka.group(Augmenter.STAGE)), 64, ship);
    }

    @Test
    void shouldAugmentTheSameViewsFromFilesAsFromPixels(@TempDir Path tmp) throws Exception {
        // consistent teaching must not depend on where the decoding happens
        SyntheticImageFolder.write(tmp.resolve("img"), 3, 6, 0, 3);
        DatasetSpec data = new DatasetSpec(DatasetSpec.Kind.FOLDER, tmp.resolve("img"), true, 3, 10, 4096, 0, 0);
        KafkaSettings dec = kafka("dec.", 2);
        KafkaSettings enc = kafka("enc.", 2);
        runPipeline(dec, twoEpochs(dec, data, LoaderConfig.Ship.DECODED), augmenterConfig(4, 48, 24),
                new SimpleMeterRegistry());
        runPipeline(enc, twoEpochs(enc, data, LoaderConfig.Ship.ENCODED), augmenterConfig(4, 48, 24),
                new SimpleMeterRegistry());
        KafkaSettings ref = kafka("ref.", 2);
        runPipeline(ref, twoEpochs(ref, data, LoaderConfig.Ship.REFERENCE), augmenterConfig(4, 48, 24),
                new SimpleMeterRegistry());
        // 18 images over 2 partitions: 3 batches of up to 4 per partition and epoch, 12 in all, and 4 epoch ends
        Map<String, AugmentedBatch> decoded = batches(readAll(dec, Topic.AUGMENTED, 16));
        Map<String, AugmentedBatch> encoded = batches(readAll(enc, Topic.AUGMENTED, 16));
        List<ConsumerRecord<String, byte[]>> refRecords = readAll(ref, Topic.AUGMENTED, 16);
        Map<String, AugmentedBatch> named = batches(refRecords);
        assertEquals(12, decoded.size());
        assertEquals(decoded.keySet(), encoded.keySet());
        assertEquals(decoded.keySet(), named.keySet());
        decoded.forEach((k, d) -> {
            AugmentedBatch e = encoded.get(k);
            assertArrayEquals(d.sampleIds(), e.sampleIds(), k);
            assertArrayEquals(d.view().pixels(), e.view().pixels(), k + ": the teacher's view");
            assertArrayEquals(d.studentView().pixels(), e.studentView().pixels(), k + ": the student's view");
        });
        // view records: the teacher and the student render the same views from the files
        try (BatchRenderer renderer = new BatchRenderer(2)) {
            for (Map.Entry<String, AugmentedBatch> n : named.entrySet()) {
                AugmentedBatch d = decoded.get(n.getKey());
                assertArrayEquals(d.sampleIds(), n.getValue().sampleIds(), n.getKey());
                assertArrayEquals(d.view().pixels(), renderer.renderTeacher(n.getValue()).view().pixels(),
                        n.getKey() + ": the teacher's view from view records");
                assertArrayEquals(d.studentView().pixels(), renderer.renderStudent(n.getValue()).trainingView()
                        .pixels(), n.getKey() + ": the student's view from view records");
            }
        }
        long recordBytes = refRecords.stream().mapToLong(r -> r.serializedValueSize()).sum();
        assertTrue(recordBytes < 16 * 2_000, "view records are small: " + recordBytes + " B for 16 records");
    }

    @Test
    void shouldDeadLetterAFileThatDoesNotDecodeInTheAugmenterNamingIt() {
        DatasetSpec folder = new DatasetSpec(DatasetSpec.Kind.FOLDER, testdata().resolve("folder"), true, 1, 10, 4096,
                0, 0);
        KafkaSettings kafka = kafka("files.", 2);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runPipeline(kafka, twoEpochs(kafka, folder, LoaderConfig.Ship.ENCODED), augmenterConfig(4, 32, 16), registry);

        // 14 files over 2 partitions: 2 batches per partition and epoch (none made only of the 2 bad files), 4 ends
        Set<String> seen = new HashSet<>();
        batches(readAll(kafka, Topic.AUGMENTED, 12)).forEach((k, b) -> {
            for (long id : b.sampleIds()) {
                assertTrue(seen.add(b.epoch() + ":" + id), "sample " + id + " twice in epoch " + b.epoch());
            }
        });
        assertEquals(24, seen.size(), "the 12 good images arrive once in each of the 2 epochs");
        List<String> dead = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(kafka, Topic.DEAD_LETTER, 4)) {
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
