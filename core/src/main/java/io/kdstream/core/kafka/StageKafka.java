package io.kdstream.core.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka resources of one stage, opened and closed together: an admin client (the stage's topics are created
 * if missing), the producer (metered), the dead-letter publisher, and for a stage that consumes, its consumer
 * group's lag meter and its receiver. Every service takes these from here instead of wiring them itself.
 */
public final class StageKafka implements AutoCloseable {
    private final KafkaSettings kafka;
    private final String stage;
    private final MeterRegistry registry;
    private final Topic input;
    private final Admin admin;
    private final KafkaSender<String, byte[]> sender;
    private final DeadLetters deadLetters;
    private final ConsumerLag lag;

    private StageKafka(KafkaSettings kafka, String stage, MeterRegistry registry, Topic input, List<Topic> outputs) {
        this.kafka = kafka;
        this.stage = stage;
        this.registry = registry;
        this.input = input;
        List<Topic> topics = new ArrayList<>();
        if (input != null) {
            topics.add(input);
        }
        topics.addAll(outputs);
        topics.add(Topic.DEAD_LETTER);
        this.admin = Admin.create(kafka.admin(stage));
        TopicAdmin.ensureTopics(admin, kafka, topics.toArray(Topic[]::new));
        this.sender = new KafkaSender<>(kafka.producer(stage), new StringSerializer(), new ByteArraySerializer())
                .bindMetrics(registry);
        this.deadLetters = new DeadLetters(sender, kafka.topic(Topic.DEAD_LETTER), stage, registry);
        this.lag = input == null ? null
                : new ConsumerLag(admin, kafka.topic(input), kafka.group(stage), registry, ConsumerLag.EVERY);
    }

    /**
     * Opens a stage's resources.
     *
     * @param input   the topic it consumes as group {@code kafka.group(stage)}, or null for a source
     * @param outputs the topics it publishes to (the dead-letter topic is always there)
     */
    public static StageKafka open(KafkaSettings kafka, String stage, MeterRegistry registry, Topic input,
                                  Topic... outputs) {
        return new StageKafka(kafka, stage, registry, input, List.of(outputs));
    }

    /** A receiver of the input topic for the stage's group, metered, committing every {@code commitInterval}. */
    public KafkaReceiver<String, byte[]> receiver(Duration commitInterval, int maxBuffered) {
        if (input == null) {
            throw new IllegalStateException(stage + " consumes no topic");
        }
        return new KafkaReceiver<>(kafka.consumer(kafka.group(stage), stage), List.of(kafka.topic(input)),
                new StringDeserializer(), new ByteArrayDeserializer(), commitInterval, maxBuffered)
                .withMetrics(registry, stage);
    }

    public Admin admin() {
        return admin;
    }

    public KafkaSender<String, byte[]> sender() {
        return sender;
    }

    public DeadLetters deadLetters() {
        return deadLetters;
    }

    /** The full name of one of the run's topics. */
    public String topic(Topic t) {
        return kafka.topic(t);
    }

    /** Closes the producer (flushing what it holds), the lag meter and the admin client. */
    @Override
    public void close() {
        sender.close();
        if (lag != null) {
            lag.close();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
