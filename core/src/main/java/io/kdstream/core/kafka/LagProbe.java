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
 * Measures how far consumer groups are behind the end of a topic, from their committed offsets: for each group the
 * sum over partitions of (end offset - committed offset), a partition without a commit counting from its start.
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

    /** The largest lag, in records, over the watched groups; 0 when none is watched. */
    public long maxLag() {
        if (groups.isEmpty()) {
            return 0;
        }
        try {
            if (partitions == null) {
                int n = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                        .partitions().size();
                partitions = java.util.stream.IntStream.range(0, n).mapToObj(p -> new TopicPartition(topic, p))
                        .toList();
            }
            Map<TopicPartition, Long> end = offsets(OffsetSpec.latest());
            Map<TopicPartition, Long> start = offsets(OffsetSpec.earliest());
            long max = 0;
            for (String g : groups) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                long lag = 0;
                for (TopicPartition tp : partitions) {
                    OffsetAndMetadata c = committed.get(tp);
                    long from = c == null ? start.get(tp) : c.offset();
                    lag += Math.max(0, end.get(tp) - from);
                }
                max = Math.max(max, lag);
            }
            return max;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the lag of groups " + groups + " on " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading lag", e);
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
