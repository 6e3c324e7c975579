package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.augmenter.ops.BatchAugmenter;
import io.kdstream.augmenter.ops.InceptionCrop;
import io.kdstream.augmenter.ops.MixPolicy;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.kafka.TopicAdmin;
import io.kdstream.core.kafka.WireHeaders;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.Tensor;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 bad image files and 300 bad records mixed with good data, through the whole pipeline on the embedded broker
 * (loader, augmenter, teacher service, student trainer): every bad one ends in the dead-letter topic with its stage,
 * reason and a message naming it, is counted, and every good image is trained; no service stops.
 */
class BadInputIntegrationTest {
    private static final int CLASSES = 10;
    private static final int GOOD_PER_CLASS = 24;
    private static final int EPOCHS = 2;
    private static final int BAD_FILES = 1000;
    private static final int BAD_RECORDS_PER_KIND = 50;

    private static byte[] png(ImageU8 img, int width, int height) throws Exception {
        BufferedImage src = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_BYTE_GRAY);
        src.getRaster().setDataElements(0, 0, img.width(), img.height(), img.pixels());
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        out.getGraphics().drawImage(src, 0, 0, width, height, null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(out, "png", bytes);
        return bytes.toByteArray();
    }

    /**
     * A folder dataset of 10 classes: good PNGs of several sizes (28 px, larger, smaller, not square) and 1,000 bad
     * files (random bytes, truncated PNGs, empty files, images larger than dataset.max-side); and a clean test split.
     */
    private static Map<String, Integer> makeDataset(Path root) throws Exception {
        Dataset mini = DatasetSpec.idx(DemoCommand.testdata().resolve("fashion-mnist-mini")).open(true);
        Random r = new Random(7);
        Map<String, Integer> bad = new LinkedHashMap<>();
        int[] next = new int[CLASSES];
        int good = 0;
        for (int i = 0; i < mini.size() && good < CLASSES * GOOD_PER_CLASS; i++) {
            Dataset.Item item = mini.read(i);
            if (next[item.label()] >= GOOD_PER_CLASS + 5) {
                continue;
            }
            int n = next[item.label()]++;
            boolean test = n >= GOOD_PER_CLASS;
            Path dir = Files.createDirectories(root.resolveSibling(root.getFileName() + (test ? "-test" : ""))
                    .resolve("class" + item.label()));
            int w = n % 4 == 1 ? 40 : n % 4 == 2 ? 21 : 28;
            int h = n % 4 == 2 ? 25 : w;
            Files.write(dir.resolve("good" + n + ".png"), png(item.image(), w, h));
            good += test ? 0 : 1;
        }
        byte[] sample = png(mini.read(0).image(), 28, 28);
        for (int b = 0; b < BAD_FILES; b++) {
            Path dir = root.resolve("class" + (b % CLASSES));
            switch (b % 4) {
                case 0 -> {
                    byte[] junk = new byte[64 + r.nextInt(512)];
                    r.nextBytes(junk);
                    Files.write(dir.resolve("junk" + b + ".png"), junk);
                    bad.merge("random bytes", 1, Integer::sum);
                }
                case 1 -> {
                    Files.write(dir.resolve("truncated" + b + ".png"), Arrays.copyOf(sample, sample.length / 2));
                    bad.merge("truncated", 1, Integer::sum);
                }
                case 2 -> {
                    Files.write(dir.resolve("empty" + b + ".jpg"), new byte[0]);
                    bad.merge("empty", 1, Integer::sum);
                }
                default -> {
                    Files.write(dir.resolve("huge" + b + ".png"), png(mini.read(b % mini.size()).image(), 200, 90));
                    bad.merge("larger than dataset.max-side", 1, Integer::sum);
                }
            }
        }
        assertEquals(CLASSES * GOOD_PER_CLASS, good);
        return bad;
    }

    private static AugmentedBatch batch(int seq) {
        Random r = new Random(seq);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] px = new byte[28 * 28];
            r.nextBytes(px);
            samples.add(new Sample(seq * 4 + i, 0, 0, i, seq * 4 + i, i, CLASSES, 1, "t", new ImageU8(28, 28, 1, px)));
        }
        return new BatchAugmenter(new InceptionCrop(0.35, 1, 0.75, 4.0 / 3), true, 28, 28, MixPolicy.funMatch(), 5)
                .augment(samples, 0, 0, 1000 + seq);
    }

    /** Bad records on every data topic, ahead of the good data: each kind the stage that reads it must refuse. */
    private static Map<String, Integer> injectBadRecords(KafkaSettings kafka) throws Exception {
        Map<String, Integer> perStage = new HashMap<>();
        Random r = new Random(11);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(kafka.producer("bad"), new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < BAD_RECORDS_PER_KIND; i++) {
                byte[] junk = new byte[10 + r.nextInt(100)];
                r.nextBytes(junk);
                p.send(WireHeaders.record(kafka.topic(Topic.SAMPLES), i % 2, "junk-" + i, junk, RecordKind.SAMPLE));
                byte[] future = new Sample(i, 0, i % 2, 0, i, 1, CLASSES, 1, "t", new ImageU8(2, 2, 1, new byte[4]))
                        .encode();
                future[4] = 9; // wire version 9 of a sample
                p.send(WireHeaders.record(kafka.topic(Topic.SAMPLES), i % 2, "future-" + i, future, RecordKind.SAMPLE));

                byte[] flipped = batch(i).encode();
                flipped[flipped.length - 3] ^= 0x10; // a view byte changed after the augmenter wrote it
                p.send(WireHeaders.record(kafka.topic(Topic.AUGMENTED), i % 2, "tampered-" + i, flipped,
                        RecordKind.AUGMENTED_BATCH));

                AugmentedBatch b = batch(100 + i);
                float[] nan = new float[b.size() * CLASSES];
                nan[i % nan.length] = Float.NaN;
                p.send(WireHeaders.record(kafka.topic(Topic.ANNOTATED), i % 2, "nan-" + i,
                        new AnnotatedBatch(b, nan, false, "bad-teacher", "1").encode(), RecordKind.ANNOTATED_BATCH));
                Frame ok = FrameCodec.decode(new AnnotatedBatch(b, new float[b.size() * CLASSES], false, "bad-teacher",
                        "1").encode());
                Map<String, Tensor> tensors = new LinkedHashMap<>(ok.tensors());
                tensors.put("teacher_logits", Tensor.ofFloats("teacher_logits", new int[] {b.size(), CLASSES + 1},
                        new float[b.size() * (CLASSES + 1)]));
                Frame wrongShape = new Frame(ok.kind(), ok.epoch(), ok.partition(), ok.id(), ok.createdAtMs(),
                        ok.properties(), tensors);
                p.send(WireHeaders.record(kafka.topic(Topic.ANNOTATED), i % 2, "shape-" + i,
                        FrameCodec.encode(wrongShape), RecordKind.ANNOTATED_BATCH));
            }
            p.flush();
        }
        perStage.put("augmenter", 2 * BAD_RECORDS_PER_KIND);
        perStage.put("teacher", BAD_RECORDS_PER_KIND);
        perStage.put("student", 2 * BAD_RECORDS_PER_KIND);
        return perStage;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldDeadLetterEveryBadInputWithItsReasonAndTrainEveryGoodImage(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Map<String, Integer> badFiles = makeDataset(data);
        Path models = Files.createDirectories(tmp.resolve("models"));
        SmokePipeline.copyShippedTeacher(models.resolve("fashion-cnn32"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models, registry,
                     Map.of("dataset.kind", "folder", "dataset.path", data.toString(), "dataset.channels", "1",
                             "dataset.max-side", "128", "pipeline.epochs", Integer.toString(EPOCHS),
                             "pipeline.batch-size", "16", "student.eval-every", "1"))) {
            try (Admin admin = Admin.create(p.kafka.admin("test"))) {
                TopicAdmin.ensureTopics(admin, p.kafka, Topic.values());
            }
            Map<String, Integer> badRecords = injectBadRecords(p.kafka);
            SimpleMeterRegistry teacherMeters = new SimpleMeterRegistry();
            p.startStudentAnd(p.teacher("fashion-cnn32", Map.of(), teacherMeters));
            p.startSources();
            p.awaitStudent();

            // every good image trained once per epoch, nothing else
            java.util.Set<String> produced = new java.util.HashSet<>(Demo.producedBatches(p.kafka));
            produced.removeIf(k -> k.startsWith("tampered-")); // the injected bad batches
            assertEquals(produced, p.student.trainedBatches());
            assertEquals((long) CLASSES * GOOD_PER_CLASS * EPOCHS, p.student.progress().done());
            assertEquals(0, p.student.duplicatesSkipped());

            // every bad input in the dead-letter topic, once, with stage, reason and a message naming it
            List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p.kafka.consumer("audit", "audit"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(p.kafka.topic(Topic.DEAD_LETTER)));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                int expected = BAD_FILES + badRecords.values().stream().mapToInt(Integer::intValue).sum();
                while (dead.size() < expected && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(300)).forEach(dead::add);
                }
                assertEquals(expected, dead.size(), "every bad input dead-lettered");
                assertTrue(c.poll(Duration.ofSeconds(1)).isEmpty(), "and nothing else");
            }
            Map<String, Integer> byStage = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : dead) {
                String stage = header(r, WireHeaders.DLQ_STAGE);
                byStage.merge(stage, 1, Integer::sum);
                String error = header(r, WireHeaders.DLQ_ERROR);
                String source = header(r, WireHeaders.DLQ_SOURCE);
                assertFalse(header(r, WireHeaders.DLQ_REASON).isEmpty(), "reason of " + source);
                assertFalse(error.isBlank(), "message for " + source);
                if (stage.equals("loader")) {
                    assertTrue(source.contains(data.toString()) && error.contains(Path.of(source).getFileName()
                            .toString()), "the loader names the file: " + source + ": " + error);
                } else {
                    assertTrue(source.matches(".+-\\d+@\\d+"), "topic-partition@offset: " + source);
                }
            }
            assertEquals(BAD_FILES, byStage.get("loader"), "bad files " + badFiles);
            badRecords.forEach((stage, n) -> assertEquals(n, byStage.get(stage), stage));

            // and counted
            double loaderCounted = registry.find("kds.dead.letters").tag("stage", "loader").counters().stream()
                    .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
            assertEquals(BAD_FILES, loaderCounted);
            assertEquals(BAD_RECORDS_PER_KIND, teacherMeters.find("kds.dead.letters").tag("stage", "teacher")
                    .tag("reason", "bad_record").counter().count());
            assertEquals(2.0 * BAD_RECORDS_PER_KIND, registry.find("kds.dead.letters").tag("stage", "student")
                    .counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum());
        }
    }
}
