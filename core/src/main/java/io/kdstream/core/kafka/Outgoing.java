package io.kdstream.core.kafka;

import io.kdstream.core.wire.RecordKind;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * What a stage publishes for some consumed records, and those records, acknowledged once the publish is
 * acknowledged by the broker (at-least-once: commit only after downstream has it).
 */
public final class Outgoing {
    private final RecordKind kind;
    private final int partition;
    private final String key;
    private final byte[] value;
    private final int images;
    private final Mono<Void> deadLetter;
    private final boolean finishesRun;
    private final List<ReceivedRecord<String, byte[]>> records;

    private Outgoing(RecordKind kind, int partition, String key, byte[] value, int images, Mono<Void> deadLetter,
                     boolean finishesRun, List<ReceivedRecord<String, byte[]>> records) {
        this.kind = kind;
        this.partition = partition;
        this.key = key;
        this.value = value;
        this.images = images;
        this.deadLetter = deadLetter;
        this.finishesRun = finishesRun;
        this.records = List.copyOf(records);
    }

    /** A data record for the stage's output topic. */
    public static Outgoing record(RecordKind kind, int partition, String key, byte[] value, int images,
                                  List<ReceivedRecord<String, byte[]>> records) {
        return new Outgoing(kind, partition, key, value, images, null, false, records);
    }

    /** A forwarded EPOCH_END; {@code finishesRun} when it completes the last epoch on every partition. */
    public static Outgoing marker(int partition, String key, byte[] value, boolean finishesRun,
                                  ReceivedRecord<String, byte[]> record) {
        return new Outgoing(RecordKind.EPOCH_END, partition, key, value, 0, null, finishesRun, List.of(record));
    }

    /** A dead letter for a record the stage cannot process. */
    public static Outgoing deadLetter(DeadLetters deadLetters, DeadLetters.Reason reason,
                                      ReceivedRecord<String, byte[]> record, String message) {
        return new Outgoing(null, -1, null, null, 0, Mono.defer(() -> deadLetters.publish(reason,
                record.coordinates(), record.key(), record.value(), message)), false, List.of(record));
    }

    /** Sends it (to {@code topic}, or the dead-letter topic) and completes with itself once acknowledged. */
    public Mono<Outgoing> publish(KafkaSender<String, byte[]> sender, String topic) {
        Mono<?> send = deadLetter != null ? deadLetter
                : sender.sendAcknowledged(WireHeaders.record(topic, partition, key, value, kind));
        return send.thenReturn(this);
    }

    /** Acknowledges the consumed records behind it. */
    public void acknowledgeSources() {
        records.forEach(ReceivedRecord::acknowledge);
    }

    /** True for a record for the dead-letter topic. */
    public boolean isDeadLetter() {
        return deadLetter != null;
    }

    /** True for a data batch (not a marker, not a dead letter). */
    public boolean isBatch() {
        return deadLetter == null && kind != RecordKind.EPOCH_END;
    }

    public int images() {
        return images;
    }

    /** Bytes of the published value, 0 for dead letters. */
    public int bytes() {
        return value == null ? 0 : value.length;
    }

    public boolean finishesRun() {
        return finishesRun;
    }
}
