package io.kdstream.core.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A receiver's offset bookkeeping for the partitions it owns: the offsets emitted and not yet acknowledged, the
 * highest acknowledged, and the last committed. What may be committed for a partition is the lowest offset still in
 * flight (or one past the highest acknowledged), so acknowledgements out of order never commit past a record that
 * is still being processed. Acknowledgements may come from any thread ({@link #acknowledge}); everything else runs
 * on the receiver's consumer thread.
 */
final class PartitionOffsets {
    /** One partition's state; replaced on every assignment, so acknowledgements from an earlier one are ignored. */
    static final class State {
        private final TreeSet<Long> inFlight = new TreeSet<>();
        private long maxAcked = -1;
        private long committed = -1;
    }

    private final Map<TopicPartition, State> states = new HashMap<>();
    private final ConcurrentLinkedQueue<ReceivedRecord<?, ?>> acks = new ConcurrentLinkedQueue<>();

    /** The partitions owned now. */
    Set<TopicPartition> owned() {
        return states.keySet();
    }

    void assigned(TopicPartition tp) {
        states.put(tp, new State());
    }

    void dropped(Collection<TopicPartition> partitions) {
        partitions.forEach(states::remove);
    }

    /** A record is emitted: its partition's state (the acknowledgement's owner), or null when it is not owned. */
    State emitted(TopicPartition tp, long offset) {
        State s = states.get(tp);
        if (s != null) {
            s.inFlight.add(offset);
        }
        return s;
    }

    /** A record is acknowledged (any thread); it counts once the consumer thread {@linkplain #processAcks takes it}. */
    void acknowledge(ReceivedRecord<?, ?> r) {
        acks.add(r);
    }

    /** Takes the acknowledgements so far; one whose partition was reassigned since it was emitted is ignored. */
    void processAcks() {
        ReceivedRecord<?, ?> r;
        while ((r = acks.poll()) != null) {
            State s = states.get(r.topicPartition());
            if (s == null || s != r.owner()) {
                continue;
            }
            long offset = r.record().offset();
            s.inFlight.remove(offset);
            s.maxAcked = Math.max(s.maxAcked, offset);
        }
    }

    /**
     * Waits, taking acknowledgements, until no record emitted from {@code partitions} is in flight or until
     * {@code deadline} ({@link System#nanoTime()}); true when none is. {@code blocker} is what an acknowledgement
     * unparks.
     */
    boolean awaitAcks(Collection<TopicPartition> partitions, long deadline, Object blocker, long pollNanos) {
        while (true) {
            processAcks();
            boolean clear = clear(partitions);
            long left = deadline - System.nanoTime();
            if (clear || left <= 0) {
                return clear;
            }
            LockSupport.parkNanos(blocker, Math.min(left, pollNanos));
        }
    }

    /** Whether no record of these partitions is in flight. */
    boolean clear(Collection<TopicPartition> partitions) {
        return partitions.stream().map(states::get).allMatch(st -> st == null || st.inFlight.isEmpty());
    }

    /** The offsets to commit for these partitions, those that moved since the last commit; marks them committed. */
    Map<TopicPartition, OffsetAndMetadata> toCommit(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            State s = states.get(tp);
            if (s == null || s.maxAcked < 0) {
                continue;
            }
            long next = s.inFlight.isEmpty() ? s.maxAcked + 1 : Math.min(s.inFlight.first(), s.maxAcked + 1);
            if (next > s.committed) {
                offsets.put(tp, new OffsetAndMetadata(next));
                s.committed = next;
            }
        }
        return offsets;
    }

    /** A commit failed: the next commit sends these partitions' offsets again. */
    void commitFailed(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            State st = states.get(tp);
            if (st != null) {
                st.committed = -1;
            }
        }
    }
}
