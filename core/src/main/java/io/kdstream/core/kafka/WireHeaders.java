package io.kdstream.core.kafka;

import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The Kafka headers kdstream writes on every data record ({@code kds.kind}, {@code kds.wire}) and on dead letters
 * ({@code kds.dlq.*}); values are UTF-8 text so kcat prints them (docs/WIRE.md).
 */
public final class WireHeaders {
    /** The record kind's name, e.g. {@code AUGMENTED_BATCH}. */
    public static final String KIND = "kds.kind";
    /** The wire version, e.g. {@code 1}. */
    public static final String WIRE = "kds.wire";
    /** Dead letters: the stage that gave up. */
    public static final String DLQ_STAGE = "kds.dlq.stage";
    /** Dead letters: the reason code ({@link DeadLetters.Reason}). */
    public static final String DLQ_REASON = "kds.dlq.reason";
    /** Dead letters: file path or topic-partition@offset of the bad input. */
    public static final String DLQ_SOURCE = "kds.dlq.source";
    /** Dead letters: the error message, naming the fix. */
    public static final String DLQ_ERROR = "kds.dlq.error";

    private WireHeaders() {
    }

    /** A data record with its kind and version headers. */
    public static ProducerRecord<String, byte[]> record(String topic, Integer partition, String key, byte[] value,
                                                        RecordKind kind) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, partition, key, value);
        r.headers().add(KIND, utf8(kind.name())).add(WIRE, utf8(Integer.toString(FrameCodec.VERSION)));
        return r;
    }

    /** A header's value as text, or null. */
    public static String text(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
