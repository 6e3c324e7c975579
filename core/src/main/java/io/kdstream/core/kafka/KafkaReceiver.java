package io.kdstream.core.kafka;

import io.kdstream.core.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A reactive source of Kafka records over a plain {@link KafkaConsumer}, with at-least-once delivery: an offset is
 * committed only once it and every offset before it on its partition were {@linkplain ReceivedRecord#acknowledge()
 * acknowledged}.
 *
 * <p>The consumer lives on one dedicated thread, which polls, emits records only as far as downstream demand
 * allows, pauses the assigned partitions while its small buffer is full and resumes them when demand returns (while
 * it holds records nobody asked for yet it sleeps until a request wakes it, rather than polling in a tight loop that
 * would steal cycles from the compute threads of a small machine), and
 * commits acknowledged offsets every {@code commitInterval}, on rebalance and on cancel. Emission happens on that
 * thread: subscribers must move heavy work to their own scheduler ({@code publishOn}). Cancelling waits until the
 * consumer has committed and left its group.
 *
 * <p>Two hand-over aids for consumer groups whose members may come and go (teacher replicas):
 * {@link #withRevokeDrain(Duration)} makes a member whose partitions are revoked wait (bounded) until the records it
 * already emitted from them are acknowledged, so their offsets are committed before the next owner starts and no
 * record is processed twice; {@link #drain(Duration)} stops a member gracefully: it emits nothing more, waits for
 * what it emitted, commits, leaves the group and completes the flux.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KafkaReceiver<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaReceiver.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final Map<String, Object> consumerProperties;
    private final Collection<String> topics;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final Duration commitInterval;
    private final int maxBuffered;
    private final Map<TopicPartition, Long> startOffsets;
    private final Duration revokeDrain;
    private final MeterRegistry registry;
    private final String stage;
    private final Set<Loop> loops = ConcurrentHashMap.newKeySet();

    /**
     * @param consumerProperties Kafka consumer properties; {@code group.id} is required and auto-commit is forced off
     * @param topics             topics to subscribe to
     * @param keyDeserializer    key deserializer
     * @param valueDeserializer  value deserializer
     * @param commitInterval     how often acknowledged offsets are committed
     * @param maxBuffered        records held in memory beyond demand before the partitions are paused
     */
    public KafkaReceiver(Map<String, Object> consumerProperties, Collection<String> topics,
                         Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer, Duration commitInterval,
                         int maxBuffered) {
        this(consumerProperties, topics, keyDeserializer, valueDeserializer, commitInterval, maxBuffered, Map.of(),
                Duration.ZERO, null, null);
    }

    private KafkaReceiver(Map<String, Object> consumerProperties, Collection<String> topics,
                          Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer, Duration commitInterval,
                          int maxBuffered, Map<TopicPartition, Long> startOffsets, Duration revokeDrain,
                          MeterRegistry registry, String stage) {
        Objects.requireNonNull(consumerProperties.get("group.id"), "consumer properties need group.id");
        if (maxBuffered < 1) {
            throw new IllegalArgumentException("maxBuffered must be >= 1, got " + maxBuffered);
        }
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.put("enable.auto.commit", "false");
        this.consumerProperties = Map.copyOf(props);
        this.topics = List.copyOf(topics);
        this.keyDeserializer = keyDeserializer;
        this.valueDeserializer = valueDeserializer;
        this.commitInterval = commitInterval;
        this.maxBuffered = maxBuffered;
        this.startOffsets = Map.copyOf(startOffsets);
        this.revokeDrain = revokeDrain;
        this.registry = registry;
        this.stage = stage;
    }

    /**
     * A receiver that, the first time it is assigned one of these partitions, starts at the given offset instead of
     * the group's commit (a trainer resuming from the offsets saved with its checkpoint).
     */
    public KafkaReceiver<K, V> withStartOffsets(Map<TopicPartition, Long> offsets) {
        return new KafkaReceiver<>(consumerProperties, topics, keyDeserializer, valueDeserializer, commitInterval,
                maxBuffered, offsets, revokeDrain, registry, stage);
    }

    /**
     * A receiver that, when the group takes partitions away from it, waits up to {@code wait} for the records it
     * already emitted from them to be acknowledged before it commits and lets them go. Only for stages that
     * acknowledge every record promptly on its own (a stage that holds records until more arrive would just wait).
     */
    public KafkaReceiver<K, V> withRevokeDrain(Duration wait) {
        return new KafkaReceiver<>(consumerProperties, topics, keyDeserializer, valueDeserializer, commitInterval,
                maxBuffered, startOffsets, wait, registry, stage);
    }

    /**
     * A receiver that registers its consumer's Kafka client metrics and a gauge {@code kds.stage.queue{stage}}: the
     * records it has polled and not yet seen acknowledged (buffered plus in flight downstream).
     */
    public KafkaReceiver<K, V> withMetrics(MeterRegistry meters, String stageName) {
        return new KafkaReceiver<>(consumerProperties, topics, keyDeserializer, valueDeserializer, commitInterval,
                maxBuffered, startOffsets, revokeDrain, meters, stageName);
    }

    /**
     * Stops every subscription gracefully: no record is emitted any more, records already emitted have up to
     * {@code timeout} to be acknowledged, then the consumer commits, leaves its group and the flux completes.
     * Returns at once; the flux's completion tells when it is done.
     */
    public void drain(Duration timeout) {
        loops.forEach(l -> l.drain(timeout));
    }

    /** Records polled and not yet acknowledged, over all subscriptions. */
    public long held() {
        return loops.stream().mapToLong(Loop::held).sum();
    }

    /**
     * Subscribes and emits records as requested. Each subscription opens its own consumer (and group member); cancel
     * commits what was acknowledged and closes it.
     */
    public Flux<ReceivedRecord<K, V>> receive() {
        return Flux.create(sink -> {
            Loop loop = new Loop(sink);
            loops.add(loop);
            if (registry != null) {
                Gauge.builder(MetricNames.STAGE_QUEUE, this, KafkaReceiver::held).tag(MetricNames.TAG_STAGE, stage)
                        .description("records polled and not yet acknowledged (buffered or in flight)")
                        .register(registry);
            }
            Thread t = new Thread(loop, "kds-consumer-" + consumerProperties.get("group.id"));
            t.setDaemon(true);
            sink.onRequest(loop::request);
            sink.onDispose(() -> {
                loops.remove(loop);
                if (Thread.currentThread() == t) {
                    // cancelled from inside onNext (e.g. take(n)): commit now, on the consumer's own thread, before
                    // the subscriber hears of the completion that follows the cancel
                    loop.closeAndCommit();
                    return;
                }
                loop.close();
                try {
                    t.join(CLOSE_WAIT.toMillis()); // commit and leave the group before the caller moves on
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
        }, FluxSink.OverflowStrategy.ERROR);
    }

    /** The consumer thread. All fields but {@code demand}, {@code acks} and {@code closed} are confined to it. */
    final class Loop implements Runnable {
        private final FluxSink<ReceivedRecord<K, V>> sink;
        private final AtomicLong demand = new AtomicLong();
        private final ArrayDeque<ConsumerRecord<K, V>> buffer = new ArrayDeque<>();
        private final PartitionOffsets offsets = new PartitionOffsets();
        private final Set<TopicPartition> positioned = new HashSet<>();
        private volatile boolean closed;
        private volatile Thread thread;
        private volatile long drainDeadline;
        private volatile int buffered;
        private final AtomicLong outstanding = new AtomicLong();
        private KafkaConsumer<K, V> consumer;
        private boolean paused;
        private long lastCommitNanos = System.nanoTime();

        Loop(FluxSink<ReceivedRecord<K, V>> sink) {
            this.sink = sink;
        }

        void request(long n) {
            demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            wake();
        }

        void close() {
            closed = true;
            wake();
        }

        /** On the consumer thread only: stops and commits what was acknowledged (the loop commits again on exit). */
        void closeAndCommit() {
            closed = true;
            try {
                offsets.processAcks();
                commit(offsets.owned(), true);
            } catch (RuntimeException e) {
                LOG.warn("consumer {}: commit on cancel failed ({}); the loop retries on exit",
                        consumerProperties.get("group.id"), e.toString());
            }
        }

        void drain(Duration timeout) {
            drainDeadline = System.nanoTime() + Math.max(1, timeout.toNanos());
            wake();
        }

        long held() {
            return buffered + outstanding.get();
        }

        private void wake() {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        void acknowledge(ReceivedRecord<K, V> r) {
            outstanding.decrementAndGet();
            offsets.acknowledge(r);
            if (drainDeadline != 0) {
                wake();
            }
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            KafkaClientMetrics clientMetrics = null;
            boolean drained = false;
            try (KafkaConsumer<K, V> c = new KafkaConsumer<>(consumerProperties, keyDeserializer, valueDeserializer)) {
                consumer = c;
                if (registry != null) {
                    clientMetrics = new KafkaClientMetrics(c);
                    clientMetrics.bindTo(registry);
                }
                c.subscribe(topics, new Listener());
                while (!closed) {
                    if (drainDeadline != 0) {
                        drained = offsets.awaitAcks(offsets.owned(), drainDeadline, this, POLL.toNanos());
                        break;
                    }
                    offsets.processAcks();
                    emit();
                    adjustPause();
                    boolean holding = !buffer.isEmpty(); // after emit(): records are held only while demand is 0
                    if (holding) {
                        LockSupport.parkNanos(this, POLL.toNanos()); // until request() or close() unparks us
                    }
                    ConsumerRecords<K, V> polled = c.poll(holding ? Duration.ZERO : POLL);
                    polled.forEach(buffer::add);
                    emit();
                    buffered = buffer.size();
                    if (System.nanoTime() - lastCommitNanos >= commitInterval.toNanos()) {
                        offsets.processAcks();
                        commit(offsets.owned(), false);
                    }
                }
                offsets.processAcks();
                commit(offsets.owned(), true);
                buffer.clear();
                buffered = 0;
                closed = true; // leaving the group below must not wait for records nobody will acknowledge now
            } catch (Throwable t) {
                if (!closed) {
                    sink.error(t);
                } else {
                    LOG.warn("consumer {} failed while closing: {}", consumerProperties.get("group.id"), t.toString());
                }
                return;
            } finally {
                if (clientMetrics != null) {
                    clientMetrics.close();
                }
            }
            if (drainDeadline != 0) {
                if (!drained) {
                    LOG.warn("consumer {}: drain timed out; records not acknowledged in time will be processed again "
                            + "by the next owner of their partitions", consumerProperties.get("group.id"));
                }
                sink.complete();
            }
        }

        private void emit() {
            while (!closed && !buffer.isEmpty() && demand.get() > 0) {
                ConsumerRecord<K, V> r = buffer.poll();
                PartitionOffsets.State s = offsets.emitted(new TopicPartition(r.topic(), r.partition()), r.offset());
                if (s == null) {
                    continue; // partition revoked after the poll; its records are someone else's now
                }
                outstanding.incrementAndGet();
                if (demand.get() != Long.MAX_VALUE) {
                    demand.decrementAndGet();
                }
                sink.next(new ReceivedRecord<>(r, s, this));
            }
        }

        private void adjustPause() {
            boolean full = buffer.size() >= maxBuffered;
            if (full && !paused) {
                consumer.pause(consumer.assignment());
                paused = true;
            } else if (!full && paused) {
                consumer.resume(consumer.paused());
                paused = false;
            } else if (full) {
                consumer.pause(consumer.assignment()); // newly assigned partitions start unpaused
            }
        }

        private void commit(Collection<TopicPartition> partitions, boolean sync) {
            lastCommitNanos = System.nanoTime();
            Map<TopicPartition, OffsetAndMetadata> next = offsets.toCommit(partitions);
            if (next.isEmpty()) {
                return;
            }
            if (sync) {
                consumer.commitSync(next);
            } else {
                consumer.commitAsync(next, (o, e) -> {
                    if (e != null) {
                        LOG.warn("commit of {} failed (will retry with the next commit): {}", o.keySet(), e.toString());
                        offsets.commitFailed(o.keySet());
                    }
                });
            }
        }

        private final class Listener implements ConsumerRebalanceListener {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!closed && !revokeDrain.isZero() && !offsets.awaitAcks(partitions,
                        System.nanoTime() + revokeDrain.toNanos(), Loop.this, POLL.toNanos())) {
                    LOG.warn("partitions {} revoked with records still unacknowledged after {}; the next owner "
                            + "processes them again", partitions, revokeDrain);
                }
                offsets.processAcks();
                try {
                    commit(partitions, true);
                } catch (RuntimeException e) {
                    LOG.warn("commit on revocation of {} failed; the next owner re-reads from the last commit: {}",
                            partitions, e.toString());
                }
                drop(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                drop(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                for (TopicPartition tp : partitions) {
                    offsets.assigned(tp);
                    Long start = startOffsets.get(tp);
                    if (start != null && positioned.add(tp)) {
                        consumer.seek(tp, start);
                    }
                }
            }

            private void drop(Collection<TopicPartition> partitions) {
                Set<TopicPartition> gone = new HashSet<>(partitions);
                offsets.dropped(partitions);
                buffer.removeIf(r -> gone.contains(new TopicPartition(r.topic(), r.partition())));
            }
        }
    }
}
