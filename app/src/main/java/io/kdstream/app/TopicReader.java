package io.kdstream.app;

import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic back for audits and benches, with a consumer group of its own. */
public final class TopicReader {
    private TopicReader() {
    }

    /** Every record of {@code topic} from the start (epoch markers too), until it has been quiet for two seconds. */
    public static void forEachRecord(KafkaSettings kafka, Topic topic, Consumer<ConsumerRecord<String, byte[]>> action) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("audit-" + System.nanoTime(),
                "audit"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(kafka.topic(topic)));
            int idle = 0;
            while (idle < 5) {
                int n = 0;
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(400))) {
                    n++;
                    action.accept(r);
                }
                idle = n == 0 && !c.assignment().isEmpty() ? idle + 1 : 0;
            }
        }
    }

    /** Like {@link #forEachRecord} without the epoch markers (keys {@code end-...}). */
    public static void forEachBatch(KafkaSettings kafka, Topic topic, Consumer<ConsumerRecord<String, byte[]>> action) {
        forEachRecord(kafka, topic, r -> {
            if (!r.key().startsWith("end-")) {
                action.accept(r);
            }
        });
    }
}
