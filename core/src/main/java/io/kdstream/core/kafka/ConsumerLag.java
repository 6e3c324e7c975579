package io.kdstream.core.kafka;

import io.kdstream.core.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The gauge {@code kds.consumer.lag{group, topic}}: records on the topic that the group has not committed yet, read
 * with the admin client every {@code every} on a thread of its own (a scrape never waits for the broker). Every
 * consuming stage meters its own group; replicas of one group report the same value.
 */
public final class ConsumerLag implements AutoCloseable {
    /** How often the stages refresh their lag. */
    public static final Duration EVERY = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);

    private final LagProbe probe;
    private final AtomicLong lag = new AtomicLong();
    private final Scheduler scheduler;
    private final Disposable task;

    /**
     * Registers the gauge and starts refreshing it.
     *
     * @param admin    an admin client the caller owns and closes after this
     * @param topic    the topic the group consumes
     * @param group    the consumer group
     * @param registry where the gauge goes
     * @param every    refresh period
     */
    public ConsumerLag(Admin admin, String topic, String group, MeterRegistry registry, Duration every) {
        this.probe = new LagProbe(admin, topic, List.of(group));
        Gauge.builder(MetricNames.CONSUMER_LAG, lag, AtomicLong::get).tag("group", group).tag("topic", topic)
                .baseUnit("records").description("records not yet committed by the consumer group")
                .register(registry);
        scheduler = Schedulers.newSingle("kds-lag-" + group, true);
        task = scheduler.schedulePeriodically(this::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            lag.set(Math.max(0, probe.endTotal() - probe.slowestCommittedTotal()));
        } catch (RuntimeException e) {
            LOG.debug("consumer lag not refreshed: {}", e.toString()); // the broker may be restarting; try again
        }
    }

    /** The last value read. */
    public long lag() {
        return lag.get();
    }

    @Override
    public void close() {
        task.dispose();
        scheduler.dispose();
    }
}
