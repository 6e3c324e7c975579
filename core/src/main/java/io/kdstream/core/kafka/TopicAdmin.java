package io.kdstream.core.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates kdstream's topics with the sizes its records need, and checks existing ones. */
public final class TopicAdmin {
    private TopicAdmin() {
    }

    /** Describes a topic, waiting up to ten seconds for a just-created topic's metadata to propagate. */
    private static TopicDescription describe(Admin admin, String name) throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return admin.describeTopics(List.of(name)).allTopicNames().get().get(name);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * Creates each missing topic (data topics with {@code kafka.partitions} partitions, the others with one) and
     * fails with a clear message when an existing data topic has fewer partitions than configured.
     */
    public static void ensureTopics(Admin admin, KafkaSettings kafka, Topic... topics) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> create = new ArrayList<>();
            for (Topic t : topics) {
                String name = kafka.topic(t);
                if (existing.contains(name)) {
                    continue;
                }
                int partitions = t.partitioned() ? kafka.partitions() : 1;
                Map<String, String> configs = new java.util.HashMap<>();
                configs.put("max.message.bytes", Integer.toString(kafka.maxRecordBytes() + KafkaSettings.FRAMING_BYTES));
                if (t.compacted()) {
                    configs.put("cleanup.policy", "compact");
                }
                create.add(new NewTopic(name, partitions, kafka.replicationFactor()).configs(configs));
            }
            if (!create.isEmpty()) {
                try {
                    admin.createTopics(create).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            for (Topic t : topics) {
                if (!t.partitioned()) {
                    continue;
                }
                String name = kafka.topic(t);
                TopicDescription d = describe(admin, name);
                if (d.partitions().size() < kafka.partitions()) {
                    throw new IllegalStateException("topic " + name + " has " + d.partitions().size()
                            + " partitions but kafka.partitions=" + kafka.partitions() + "; delete the topic, use another "
                            + "kafka.topic-prefix, or set kafka.partitions=" + d.partitions().size());
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create kdstream topics on " + kafka.bootstrapServers() + ": "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
