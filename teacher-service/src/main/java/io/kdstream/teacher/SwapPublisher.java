package io.kdstream.teacher;

import io.kdstream.core.config.Secret;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.kafka.TopicAdmin;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes a {@link SwapOrder} on the run's control topic: the one action behind {@code kdstream teacher swap}. */
public final class SwapPublisher {
    private SwapPublisher() {
    }

    /**
     * Signs and publishes the order, waiting for the broker's acknowledgement.
     *
     * @return the record's offset on the control topic
     */
    public static long publish(KafkaSettings kafka, SwapOrder order, Secret token) {
        try (Admin admin = Admin.create(kafka.admin("teacher-swap"))) {
            TopicAdmin.ensureTopics(admin, kafka, Topic.CONTROL);
        }
        Map<String, Object> props = kafka.producer("teacher-swap");
        props.put("acks", "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            RecordMetadata m = producer.send(new ProducerRecord<>(kafka.topic(Topic.CONTROL), 0, SwapOrder.KEY,
                    order.encode(token))).get();
            producer.flush();
            return m.offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish the swap order to " + kafka.topic(Topic.CONTROL) + " on "
                    + kafka.bootstrapServers() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the swap order", e);
        }
    }
}
