package io.kdstream.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
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
import io.kdstream.core.wire.EpochEnd;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.TeacherView;
import io.kdstream.core.wire.ViewEncoding;
import io.kdstream.models.TorchScriptModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The teacher service on the embedded broker, with the TorchScript fixture as teacher. */
class TeacherServiceIntegrationTest {

    /** Batches 1 and 3 carry uint8 views, batch 4 float16 ones, the others float32: the service keeps each as it came. */
    private static ViewEncoding encoding(int seq) {
        return seq % 2 == 1 ? ViewEncoding.UINT8 : seq == 4 ? ViewEncoding.FLOAT16 : ViewEncoding.FLOAT32;
    }

    private static AugmentedBatch batch(int seq) {
        Random r = new Random(seq);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] px = new byte[28 * 28];
            r.nextBytes(px);
            samples.add(new Sample(seq * 8 + i, 0, 0, i, seq * 8 + i, i % 10, 10, 1, "t", new ImageU8(28, 28, 1, px)));
        }
        return new BatchAugmenter(new InceptionCrop(0.35, 1, 0.75, 4.0 / 3), true, 28, 28, MixPolicy.funMatch(), 5,
                TeacherView.CONSISTENT, encoding(seq)).augment(samples, 0, 0, seq);
    }

    @Test
    void shouldAnnotateExactlyTheAugmenterBytesAndDeadLetterTamperedBatches() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), 1);
            try (Admin admin = Admin.create(kafka.admin("t"))) {
                TopicAdmin.ensureTopics(admin, kafka, Topic.values());
            }
            Map<String, AugmentedBatch> sent = new HashMap<>();
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(kafka.producer("t"), new StringSerializer(),
                    new ByteArraySerializer())) {
                for (int seq = 0; seq < 5; seq++) {
                    AugmentedBatch b = batch(seq);
                    byte[] value = b.encode();
                    if (seq == 2) {
                        value[value.length - 7] ^= 0x01; // one bit of the view flipped after the augmenter wrote it
                    } else {
                        sent.put(b.key(), b);
                    }
                    p.send(WireHeaders.record(kafka.topic(Topic.AUGMENTED), 0, b.key(), value,
                            RecordKind.AUGMENTED_BATCH)).get();
                }
                EpochEnd end = new EpochEnd(0, 0, 1, "augmenter", 40, 5, true, 1);
                p.send(WireHeaders.record(kafka.topic(Topic.AUGMENTED), 0, end.key(), end.encode(),
                        RecordKind.EPOCH_END)).get();
            }
            TeacherConfig config = new TeacherConfig(TorchScriptTeacherTest.fixture("tiny_cnn.pt"),
                    TeacherConfig.Format.TORCHSCRIPT, "tiny", "7", TorchScriptTeacherTest.fixtureSpec(), false, false,
                    "cpu", TorchScriptTeacherTest.fixture("tiny_cnn.pt").getParent());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (TeacherService teacher = new TeacherService(config, kafka, registry)) {
                teacher.start();
                teacher.completion().block(Duration.ofSeconds(60));
            }

            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("reader", "reader"),
                    new StringDeserializer(), new ByteArrayDeserializer());
                 TorchScriptModel direct = new TorchScriptModel(TorchScriptTeacherTest.fixture("tiny_cnn.pt"),
                         new TorchScriptModel.Input(TorchScriptTeacherTest.fixtureSpec(), false), Device.cpu())) {
                c.subscribe(List.of(kafka.topic(Topic.ANNOTATED), kafka.topic(Topic.DEAD_LETTER)));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (out.size() < 6 && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(out::add);
                }
                int annotated = 0;
                int dead = 0;
                for (ConsumerRecord<String, byte[]> r : out) {
                    if (r.topic().equals(kafka.topic(Topic.DEAD_LETTER))) {
                        dead++;
                        assertEquals("e0-p0-b2", r.key());
                        assertEquals("BAD_RECORD", WireHeaders.text(r.headers(), WireHeaders.DLQ_REASON));
                        assertTrue(WireHeaders.text(r.headers(), WireHeaders.DLQ_ERROR).contains("CRC-32C"));
                        continue;
                    }
                    if (r.key().startsWith("end-")) {
                        assertEquals("teacher", FrameCodec.decode(r.value()).stringProperty("stage"));
                        continue;
                    }
                    annotated++;
                    AnnotatedBatch a = AnnotatedBatch.decode(r.value()); // verifies the augmenter's CRC-32C
                    AugmentedBatch original = sent.get(r.key());
                    assertArrayEquals(original.view().pixels(), a.batch().view().pixels(), 0f);
                    assertEquals(original.view().encoding(), a.batch().view().encoding(), r.key());
                    assertEquals(AugmentedBatch.crc32c(original.view().toTensor("view")),
                            FrameCodec.decode(r.value()).longProperty("view_crc32c"));
                    assertArrayEquals(direct.logits(original.view()), a.teacherLogits(), 1e-6f,
                            "the teacher's logits are those of the augmenter's exact view");
                    assertEquals("tiny", a.teacherId());
                    assertEquals("7", a.teacherVersion());
                }
                assertEquals(4, annotated);
                assertEquals(1, dead);
            }
            assertEquals(32.0, registry.get("kds.stage.images").tag("stage", "teacher").counter().count());
        }
    }
}
