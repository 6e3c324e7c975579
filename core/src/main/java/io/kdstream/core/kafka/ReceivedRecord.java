package io.kdstream.core.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumed record and the handle that marks it processed. Its offset becomes committable only after
 * {@link #acknowledge()}: call it once whatever the record produced downstream has been acknowledged by the broker
 * (or the record was dead-lettered). Acknowledging from any thread is safe.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ReceivedRecord<K, V> {
    private final ConsumerRecord<K, V> record;
    private final PartitionOffsets.State owner;
    private final KafkaReceiver<K, V>.Loop loop;

    ReceivedRecord(ConsumerRecord<K, V> record, PartitionOffsets.State owner, KafkaReceiver<K, V>.Loop loop) {
        this.record = record;
        this.owner = owner;
        this.loop = loop;
    }

    /**
     * A record read from elsewhere than a broker (a recording being replayed): nothing to commit, so
     * {@link #acknowledge()} does nothing.
     */
    public static <K, V> ReceivedRecord<K, V> detached(ConsumerRecord<K, V> record) {
        return new ReceivedRecord<>(record, null, null);
    }

    /** The consumed record. */
    public ConsumerRecord<K, V> record() {
        return record;
    }

    /** Shorthand for {@code record().value()}. */
    public V value() {
        return record.value();
    }

    /** Shorthand for {@code record().key()}. */
    public K key() {
        return record.key();
    }

    /** The record's topic-partition. */
    public TopicPartition topicPartition() {
        return new TopicPartition(record.topic(), record.partition());
    }

    /** "topic-partition@offset", for error messages and dead letters. */
    public String coordinates() {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /** Marks the record processed; its offset may be committed from now on. */
    public void acknowledge() {
        if (loop != null) {
            loop.acknowledge(this);
        }
    }

    PartitionOffsets.State owner() {
        return owner;
    }
}
