package io.kdstream.teacher;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.LagProbe;
import io.kdstream.core.kafka.LagThrottle;
import io.kdstream.core.kafka.Outgoing;
import io.kdstream.core.kafka.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * How far a teacher replica may run ahead of the stage it feeds: at most {@code maxAheadBatches} records on the
 * annotated topic beyond the committed offsets of the slowest of {@code feeds}, so a slow student never lets the
 * topic grow without limit. The time spent waiting is metered ({@code kds.backpressure.wait{stage=teacher}}).
 *
 * @param feeds           {@code teacher.feeds}: consumer groups of the annotated topic; empty: unbounded
 * @param maxAheadBatches {@code teacher.max-ahead-batches}
 */
public record FeedBound(List<String> feeds, int maxAheadBatches) {
    /** No bound (benches that run a teacher service alone). */
    public static final FeedBound NONE = new FeedBound(List.of(), 1);

    public FeedBound {
        feeds = List.copyOf(feeds);
        ConfigException.require(maxAheadBatches >= 1, "teacher.max-ahead-batches", maxAheadBatches, "must be >= 1");
    }

    /** Reads {@code teacher.feeds} (default the student's group) and {@code teacher.max-ahead-batches}. */
    public static FeedBound from(Settings s, KafkaSettings kafka) {
        return new FeedBound(s.list(Keys.TEACHER_FEEDS, List.of(kafka.group("student"))),
                s.integer(Keys.TEACHER_MAX_AHEAD_BATCHES));
    }

    /** The throttle that keeps this bound, metered; null when unbounded. */
    LagThrottle throttle(Admin admin, KafkaSettings kafka, MeterRegistry registry, String stage) {
        if (feeds.isEmpty()) {
            return null;
        }
        return LagThrottle.of(new LagProbe(admin, kafka.topic(Topic.ANNOTATED), feeds), maxAheadBatches,
                Duration.ofMillis(100)).bindMetrics(registry, stage);
    }

    /** Blocks the caller (the service's gate thread) while the topic is at its bound; dead letters pass. */
    static Outgoing admit(Outgoing o, LagThrottle throttle) {
        if (throttle != null && !o.isDeadLetter()) {
            try {
                throttle.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the student to catch up", e);
            }
        }
        return o;
    }
}
