package io.kdstream.core.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import reactor.core.publisher.Mono;

/**
 * A reactive face of one idempotent {@link KafkaProducer} ({@code acks=all}, {@code enable.idempotence=true}). A send
 * completes when the broker has acknowledged the record and fails, never hangs, when the broker refuses it or does
 * not answer within the producer's {@code delivery.timeout.ms} and {@code max.block.ms}.
 *
 * <p>Thread-safe; {@code send} may block its subscribing thread for up to {@code max.block.ms} while topic metadata
 * is fetched, so subscribe on a service's own scheduler, not on Reactor's shared ones.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KafkaSender<K, V> implements AutoCloseable {
    private final KafkaProducer<K, V> producer;
    private KafkaClientMetrics clientMetrics;

    /**
     * @param producerProperties Kafka producer properties; acks and idempotence are forced to the safe settings
     * @param keySerializer      key serializer
     * @param valueSerializer    value serializer
     */
    public KafkaSender(Map<String, Object> producerProperties, Serializer<K> keySerializer,
                       Serializer<V> valueSerializer) {
        Map<String, Object> props = new HashMap<>(producerProperties);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        this.producer = new KafkaProducer<>(props, keySerializer, valueSerializer);
    }

    /** Registers the producer's Kafka client metrics (record rates, errors, request latency) in {@code registry}. */
    public synchronized KafkaSender<K, V> bindMetrics(MeterRegistry registry) {
        if (clientMetrics == null) {
            clientMetrics = new KafkaClientMetrics(producer);
            clientMetrics.bindTo(registry);
        }
        return this;
    }

    /**
     * Sends one record; the Mono emits its metadata once the broker has acknowledged it, or errors with the broker's
     * or the producer's exception. Nothing is sent until subscription.
     */
    public Mono<RecordMetadata> sendAcknowledged(ProducerRecord<K, V> record) {
        return Mono.create(sink -> {
            try {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        sink.error(error);
                    } else {
                        sink.success(metadata);
                    }
                });
            } catch (RuntimeException e) {
                sink.error(e);
            }
        });
    }

    /** Blocks until every record sent so far has been acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    /** Flushes and closes the producer, waiting at most ten seconds. */
    @Override
    public synchronized void close() {
        if (clientMetrics != null) {
            clientMetrics.close();
            clientMetrics = null;
        }
        producer.close(Duration.ofSeconds(10));
    }
}
