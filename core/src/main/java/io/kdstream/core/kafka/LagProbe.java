package io.kdstream.core.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads positions on a topic: the sum of its end offsets, and how far the slowest of some consumer groups has
 * committed (the sum over partitions of each group's committed offset, a partition without a commit counting from
 * its start).
 */
public final class LagProbe {
    private final Admin admin;
    private final String topic;
    private final List<String> groups;
    private List<TopicPartition> partitions;

    /**
     * @param admin  an admin client the caller owns
     * @param topic  the topic the groups consume
     * @param groups the consumer groups to watch
     */
    public LagProbe(Admin admin, String topic, List<String> groups) {
        this.admin = admin;
        this.topic = topic;
        this.groups = List.copyOf(groups);
    }

    /** Sum of the topic's end offsets: records ever written to it (less any deleted before the start offsets). */
    public long endTotal() {
        return call(() -> offsets(OffsetSpec.latest()).values().stream().mapToLong(Long::longValue).sum());
    }

    /** The smallest, over the watched groups, of the sum of committed offsets; {@code Long.MAX_VALUE} when none. */
    public long slowestCommittedTotal() {
        if (groups.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return call(() -> {
            Map<TopicPartition, Long> start = offsets(OffsetSpec.earliest());
            long min = Long.MAX_VALUE;
            for (String g : groups) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                long sum = 0;
                for (TopicPartition tp : partitions) {
                    OffsetAndMetadata c = committed.get(tp);
                    sum += c == null ? start.get(tp) : c.offset();
                }
                min = Math.min(min, sum);
            }
            return min;
        });
    }

    private interface Call {
        long run() throws ExecutionException, InterruptedException, TimeoutException;
    }

    private long call(Call c) {
        try {
            if (partitions == null) {
                int n = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                        .partitions().size();
                partitions = java.util.stream.IntStream.range(0, n).mapToObj(p -> new TopicPartition(topic, p))
                        .toList();
            }
            return c.run();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read offsets of " + topic + " for groups " + groups + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading offsets", e);
        }
    }

    private Map<TopicPartition, Long> offsets(OffsetSpec spec)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        partitions.forEach(tp -> req.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> res = admin.listOffsets(req).all()
                .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        res.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }
}
