package io.kdstream.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.kafka.KafkaReceiver;
import io.kdstream.core.kafka.KafkaSender;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.ReceivedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ReactiveKafkaAdapterTest {
    private static EmbeddedKafkaBroker broker;
    private static KafkaSettings kafka;
    private static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
        kafka = KafkaSettings.local(broker.bootstrapServers(), 1);
        admin = Admin.create(kafka.admin("test"));
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    private static void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private static KafkaSender<String, String> sender(KafkaSettings k) {
        return new KafkaSender<>(k.producer("p"), new StringSerializer(), new StringSerializer());
    }

    private static KafkaReceiver<String, String> receiver(String topic, String group, int maxBuffered) {
        return new KafkaReceiver<>(kafka.consumer(group, "c"), List.of(topic), new StringDeserializer(),
                new StringDeserializer(), Duration.ofMillis(100), maxBuffered);
    }

    private static long committed(String group, String topic) throws Exception {
        OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
        return o == null ? -1 : o.offset();
    }

    @Test
    void shouldCommitOnlyAcknowledgedOffsets() throws Exception {
        createTopic("ack", 1);
        try (KafkaSender<String, String> s = sender(kafka)) {
            Flux.range(0, 20).concatMap(i -> s.sendAcknowledged(new ProducerRecord<>("ack", 0, "k" + i, "v" + i)))
                    .blockLast(Duration.ofSeconds(30));
        }
        List<ReceivedRecord<String, String>> got = receiver("ack", "g-ack", 100).receive().take(20).collectList()
                .block(Duration.ofSeconds(30));
        assertNotNull(got);
        assertEquals(20, got.size());
        // a fresh receive on the same group: nothing was acknowledged, so everything comes back
        List<ReceivedRecord<String, String>> again = new ArrayList<>();
        receiver("ack", "g-ack", 100).receive().take(20).doOnNext(again::add).doOnNext(r -> {
            if (r.record().offset() == 9) {
                r.acknowledge();
            }
        }).collectList().block(Duration.ofSeconds(30));
        assertEquals("v0", again.get(0).value());
        assertTrue(committed("g-ack", "ack") <= 0, "offset 9 alone must not commit past unacknowledged 0..8");

        receiver("ack", "g-ack", 100).receive().take(20).doOnNext(r -> {
            if (r.record().offset() < 10) {
                r.acknowledge();
            }
        }).blockLast(Duration.ofSeconds(30));
        assertEquals(10, committed("g-ack", "ack"));
        StepVerifier.create(receiver("ack", "g-ack", 100).receive().take(1).map(ReceivedRecord::value))
                .expectNext("v10").verifyComplete();
    }

    @Test
    void shouldPauseWhenDemandStopsAndResumeWhenItReturns() throws Exception {
        createTopic("demand", 1);
        try (KafkaSender<String, String> s = sender(kafka)) {
            Flux.range(0, 2000).flatMap(i -> s.sendAcknowledged(new ProducerRecord<>("demand", 0, null, "v" + i)), 64)
                    .blockLast(Duration.ofSeconds(60));
        }
        StepVerifier.create(receiver("demand", "g-demand", 10).receive().map(ReceivedRecord::value), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(500))
                .thenRequest(3)
                .expectNext("v0", "v1", "v2")
                .expectNoEvent(Duration.ofMillis(300))
                .thenRequest(1997)
                .expectNextCount(1997)
                .thenCancel()
                .verify(Duration.ofSeconds(60));
    }

    @Test
    void shouldFailNotHangWhenBrokerRefusesRecord() throws Exception {
        createTopic("small", 1);
        admin.incrementalAlterConfigs(Map.of(new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "small"), List.of(
                new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                        "max.message.bytes", "2048"), org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET))))
                .all().get(10, TimeUnit.SECONDS);
        try (KafkaSender<String, String> s = sender(kafka)) {
            String big = "x".repeat(100_000);
            Exception e = assertThrows(Exception.class,
                    () -> s.sendAcknowledged(new ProducerRecord<>("small", big)).block(Duration.ofSeconds(30)));
            assertTrue(e instanceof RecordTooLargeException || e.getCause() instanceof RecordTooLargeException,
                    "expected RecordTooLargeException, got " + e);
        }
    }

    @Test
    void shouldFailWithinSendTimeoutWhenTopicIsMissing() {
        KafkaSettings quick = new KafkaSettings(kafka.bootstrapServers(), "kds.", 1, (short) 1, 1 << 20,
                Duration.ofSeconds(2), "quick", Map.of());
        try (KafkaSender<String, String> s = sender(quick)) {
            long t0 = System.nanoTime();
            assertThrows(Exception.class,
                    () -> s.sendAcknowledged(new ProducerRecord<>("no-such-topic", "v")).block(Duration.ofSeconds(20)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "send must fail within its timeout");
        }
    }
}
