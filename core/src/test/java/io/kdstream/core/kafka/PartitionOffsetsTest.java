package io.kdstream.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The receiver's offset bookkeeping: what may be committed when acknowledgements come out of order. */
class PartitionOffsetsTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static ReceivedRecord<String, String> emit(PartitionOffsets o, TopicPartition tp, long offset) {
        PartitionOffsets.State s = o.emitted(tp, offset);
        return new ReceivedRecord<>(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, "k", "v"), s, null);
    }

    private static Map<TopicPartition, Long> commit(PartitionOffsets o) {
        Map<TopicPartition, OffsetAndMetadata> m = o.toCommit(o.owned());
        return m.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().offset()));
    }

    @Test
    void shouldCommitOnlyUpToTheFirstRecordStillInFlightOnEachPartition() {
        PartitionOffsets o = new PartitionOffsets();
        o.assigned(P0);
        o.assigned(P1);
        var a0 = emit(o, P0, 0);
        var a1 = emit(o, P0, 1);
        var a2 = emit(o, P0, 2);
        var b0 = emit(o, P1, 10);
        var b1 = emit(o, P1, 11);
        // out of order, and across partitions: 2 and 1 of p0 before 0; p1's second before its first
        o.acknowledge(a2);
        o.acknowledge(b1);
        o.acknowledge(a1);
        o.processAcks();
        assertEquals(Map.of(P0, 0L, P1, 10L), commit(o), "offset 0 of p0 and 10 of p1 are still in flight: the "
                + "commit stops before them, whatever was acknowledged after");
        assertFalse(o.clear(List.of(P0)));
        o.acknowledge(a0);
        o.processAcks();
        assertEquals(Map.of(P0, 3L), commit(o), "p0 done up to 2; p1 still waits for 10");
        assertTrue(o.clear(List.of(P0)) && !o.clear(List.of(P1)));
        o.acknowledge(b0);
        o.processAcks();
        assertEquals(Map.of(P1, 12L), commit(o), "only what moved since the last commit");
        assertEquals(Map.of(), commit(o));
    }

    @Test
    void shouldIgnoreAcknowledgementsFromBeforeAReassignmentAndResendAfterAFailedCommit() {
        PartitionOffsets o = new PartitionOffsets();
        o.assigned(P0);
        var stale = emit(o, P0, 5);
        o.dropped(List.of(P0)); // revoked, then assigned again: records of the old assignment are someone else's
        o.assigned(P0);
        o.acknowledge(stale);
        o.processAcks();
        assertEquals(Map.of(), commit(o), "an acknowledgement from the earlier assignment commits nothing");
        assertNull(o.emitted(P1, 0), "a partition not owned takes no record");
        var fresh = emit(o, P0, 7);
        o.acknowledge(fresh);
        o.processAcks();
        assertEquals(Map.of(P0, 8L), commit(o));
        o.commitFailed(List.of(P0));
        assertEquals(Map.of(P0, 8L), commit(o), "a failed commit is sent again with the next one");
    }

    @Test
    void shouldWaitForTheRecordsInFlightUntilTheDeadline() {
        PartitionOffsets o = new PartitionOffsets();
        o.assigned(P0);
        var r = emit(o, P0, 0);
        long t0 = System.nanoTime();
        assertFalse(o.awaitAcks(List.of(P0), t0 + 50_000_000L, this, 10_000_000L), "nothing acknowledged: timed out");
        assertTrue(System.nanoTime() - t0 >= 50_000_000L);
        Thread acker = new Thread(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
            o.acknowledge(r);
        });
        acker.start();
        assertTrue(o.awaitAcks(List.of(P0), System.nanoTime() + 5_000_000_000L, this, 10_000_000L),
                "acknowledged from another thread before the deadline");
    }
}
