package io.kdstream.app.lab;

import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.LagProbe;
import io.kdstream.core.kafka.Topic;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;

/**
 * Watches, on a thread of its own, how far the augmented topic runs ahead of the teacher group's commits and the
 * annotated topic ahead of the student group's, keeping the largest of each (records, markers included, as the
 * stages' bounds count them).
 */
final class LagWatch implements AutoCloseable {
    private final Admin admin;
    private final LagProbe augmented;
    private final LagProbe annotated;
    private final AtomicLong maxAugmented = new AtomicLong();
    private final AtomicLong maxAnnotated = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    private LagWatch(KafkaSettings kafka) {
        this.admin = Admin.create(kafka.admin("lag-watch"));
        this.augmented = new LagProbe(admin, kafka.topic(Topic.AUGMENTED), List.of(kafka.group("teacher")));
        this.annotated = new LagProbe(admin, kafka.topic(Topic.ANNOTATED), List.of(kafka.group("student")));
        this.thread = new Thread(this::watch, "kds-lag-watch");
        thread.setDaemon(true);
    }

    /** Starts watching the pipeline on {@code bootstrap}, every 200 ms. */
    static LagWatch start(String bootstrap, int partitions) {
        LagWatch w = new LagWatch(KafkaSettings.local(bootstrap, partitions));
        w.thread.start();
        return w;
    }

    private void watch() {
        while (!stopped) {
            try {
                sample(augmented, maxAugmented);
                sample(annotated, maxAnnotated);
                samples.incrementAndGet();
            } catch (IllegalStateException notYet) {
                // a topic not created yet, or the broker busy: the next sample will tell
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sample(LagProbe probe, AtomicLong max) {
        long lag = probe.endTotal() - probe.slowestCommittedTotal();
        max.accumulateAndGet(lag, Math::max);
    }

    /** Whether both lags stayed within their bounds (records). */
    boolean within(int augmentedBound, int annotatedBound) {
        return samples.get() > 0 && maxAugmented.get() <= augmentedBound && maxAnnotated.get() <= annotatedBound;
    }

    /** The largest lags seen against their bounds. */
    String describe(int augmentedBound, int annotatedBound) {
        return String.format(Locale.ROOT, "largest lag over %d samples: augmented %d (bound %d), annotated %d "
                + "(bound %d)", samples.get(), maxAugmented.get(), augmentedBound, maxAnnotated.get(), annotatedBound);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close();
    }
}
