package io.kdstream.teacher;

import io.kdstream.core.MetricNames;
import io.kdstream.core.config.Secret;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A teacher replica's reader of the run's control topic ({@link SwapOrder}). It is no consumer-group member: every
 * replica reads the whole topic from its start, so each sees every order. {@link #catchUp} returns the newest valid
 * order already there (the teacher a starting replica must load); {@link #follow} then applies newer ones on its own
 * thread. Orders that do not verify are refused: logged with the reason and counted
 * ({@code kds.teacher.swaps{outcome=refused}}), never applied.
 */
final class SwapFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwapFollower.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final TopicPartition partition;
    private final Secret token;
    private final Counter refused;
    private long newest = Long.MIN_VALUE;
    private Thread thread;
    private volatile boolean closed;

    /**
     * @param token the shared {@code admin.token}, or null: then every order is refused, with the fix in the log
     */
    SwapFollower(KafkaSettings kafka, Secret token, MeterRegistry registry) {
        Map<String, Object> props = kafka.common(TeacherService.STAGE + "-control-consumer");
        props.put("enable.auto.commit", false);
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.partition = new TopicPartition(kafka.topic(Topic.CONTROL), 0);
        this.token = token;
        this.refused = Counter.builder(MetricNames.TEACHER_SWAPS).tag("outcome", "refused")
                .description("live teacher swaps").register(registry);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    /** Reads every order already on the topic and returns the newest valid one, if any. */
    Optional<SwapOrder> catchUp(Duration timeout) {
        long end = consumer.endOffsets(List.of(partition), timeout).getOrDefault(partition, 0L);
        SwapOrder best = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(partition, timeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the control topic " + partition.topic() + " to its end "
                        + "offset " + end + " within " + timeout);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                SwapOrder o = accept(r);
                if (o != null) {
                    best = o;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** Applies each newer valid order on a daemon thread until {@link #close()}. */
    void follow(Consumer<SwapOrder> apply) {
        thread = new Thread(() -> {
            try {
                while (!closed) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        SwapOrder o = accept(r);
                        if (o != null) {
                            try {
                                apply.accept(o);
                            } catch (RuntimeException e) {
                                LOG.error("teacher swap order {} failed, the running teacher stays: {}", o.describe(),
                                        e.getMessage());
                            }
                        }
                    }
                }
            } catch (WakeupException e) {
                if (!closed) {
                    throw e;
                }
            } finally {
                consumer.close(Duration.ofSeconds(2));
            }
        }, "kds-teacher-control");
        thread.setDaemon(true);
        thread.start();
    }

    /** A verified order newer than every one seen so far, or null (refused, stale or another kind of record). */
    private SwapOrder accept(ConsumerRecord<String, byte[]> r) {
        if (!SwapOrder.KEY.equals(r.key()) || r.value() == null) {
            return null;
        }
        String where = partition.topic() + " offset " + r.offset();
        if (token == null) {
            refused.increment();
            LOG.warn("teacher swap order at {} refused: this replica has no admin.token to verify it with; set "
                    + "KDS_ADMIN_TOKEN (--admin.token) to the token `kdstream teacher swap` signs with", where);
            return null;
        }
        SwapOrder o;
        try {
            o = SwapOrder.decode(r.value(), token);
        } catch (SwapOrder.Refused e) {
            refused.increment();
            LOG.warn("teacher swap order at {} refused: {}", where, e.getMessage());
            return null;
        }
        if (o.issuedAt() <= newest) {
            LOG.info("teacher swap order at {} ignored: older than one already seen ({})", where, o.describe());
            return null;
        }
        newest = o.issuedAt();
        return o;
    }

    @Override
    public void close() {
        closed = true;
        if (thread == null) {
            consumer.close(Duration.ofSeconds(2));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
