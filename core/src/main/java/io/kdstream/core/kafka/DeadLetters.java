package io.kdstream.core.kafka;

import io.kdstream.core.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Publishes inputs a stage could not process to the dead-letter topic, with the reason in headers, counts them in
 * {@code kds.dead.letters{stage,reason}} and logs one line naming the input and the fix. The run goes on.
 */
public final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    /** Payloads above this size are cut, so one huge bad file cannot block the topic. */
    public static final int MAX_PAYLOAD = 1024 * 1024;

    /** Why an input was dead-lettered; a small fixed set, used as a metric tag. */
    public enum Reason {
        /** A file could not be read. */
        UNREADABLE_FILE,
        /** A file was read but is not a decodable image. */
        CORRUPT_IMAGE,
        /** A record does not follow docs/WIRE.md (magic, version, kind, shapes, checksum). */
        BAD_RECORD,
        /** A record is well-formed but its content is unusable (NaN, wrong classes, wrong size). */
        BAD_CONTENT,
        /** A batch annotated by a teacher the student's policy does not expect. */
        UNEXPECTED_TEACHER
    }

    private final KafkaSender<String, byte[]> sender;
    private final String topic;
    private final String stage;
    private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);

    /**
     * @param sender   the stage's producer
     * @param topic    the full dead-letter topic name
     * @param stage    the stage name, a tag and a header
     * @param registry where the counters go
     */
    public DeadLetters(KafkaSender<String, byte[]> sender, String topic, String stage, MeterRegistry registry) {
        this.sender = sender;
        this.topic = topic;
        this.stage = stage;
        for (Reason r : Reason.values()) {
            counters.put(r, Counter.builder(MetricNames.DEAD_LETTERS).description("inputs sent to the dead-letter topic")
                    .tag(MetricNames.TAG_STAGE, stage).tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
    }

    /**
     * Sends one dead letter and completes once the broker has it.
     *
     * @param reason  why
     * @param source  the file path or topic-partition@offset
     * @param key     the record key to use (the original key, or the path)
     * @param payload the original bytes (cut at {@link #MAX_PAYLOAD}); may be empty
     * @param error   the message naming the problem and the fix
     */
    public Mono<Void> publish(Reason reason, String source, String key, byte[] payload, String error) {
        LOG.warn("[{}] dead-lettered {} ({}): {}", stage, source, reason, error);
        byte[] value = payload == null ? new byte[0]
                : payload.length > MAX_PAYLOAD ? java.util.Arrays.copyOf(payload, MAX_PAYLOAD) : payload;
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, null, key, value);
        r.headers().add(WireHeaders.DLQ_STAGE, WireHeaders.utf8(stage))
                .add(WireHeaders.DLQ_REASON, WireHeaders.utf8(reason.name()))
                .add(WireHeaders.DLQ_SOURCE, WireHeaders.utf8(source))
                .add(WireHeaders.DLQ_ERROR, WireHeaders.utf8(error == null ? "" : error));
        Counter c = counters.get(reason);
        return sender.sendAcknowledged(r).doOnSuccess(m -> c.increment()).then();
    }

    /** Dead letters counted so far for one reason. */
    public long count(Reason reason) {
        return (long) counters.get(reason).count();
    }

    /** Dead letters counted so far. */
    public long total() {
        return counters.values().stream().mapToLong(c -> (long) c.count()).sum();
    }
}
