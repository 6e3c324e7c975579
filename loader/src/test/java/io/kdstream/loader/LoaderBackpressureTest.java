package io.kdstream.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.loader.dataset.DatasetSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LoaderBackpressureTest {
    private static long endOffset(Admin admin, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS).get(tp).offset();
    }

    private static long waitForStableEnd(Admin admin, String topic) throws Exception {
        long last = -1;
        for (int i = 0; i < 40; i++) {
            Thread.sleep(250);
            long now;
            try {
                now = endOffset(admin, topic);
            } catch (java.util.concurrent.ExecutionException notCreatedYet) {
                continue;
            }
            if (now == last && now > 0) {
                return now;
            }
            last = now;
        }
        return last;
    }

    @Test
    void shouldStayWithinMaxAheadBatchesOfTheGroupItFeeds() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), 1);
            Path mini = Path.of(System.getProperty("kdstream.testdata", "../testdata")).resolve("fashion-mnist-mini");
            // window: 4 batches of 8 = 32 records ahead of group "slow", which never reads by itself
            LoaderConfig config = new LoaderConfig(DatasetSpec.idx(mini), 1, 1, 8, 4, List.of("slow"), 64);
            try (Loader loader = new Loader(config, kafka, new SimpleMeterRegistry());
                 Admin admin = Admin.create(kafka.admin("test"))) {
                loader.start();
                String topic = kafka.topic(Topic.SAMPLES);
                assertEquals(32, waitForStableEnd(admin, topic), "loader must stop 32 records ahead");
                admin.alterConsumerGroupOffsets("slow", Map.of(new TopicPartition(topic, 0),
                        new OffsetAndMetadata(20))).all().get(10, TimeUnit.SECONDS);
                assertEquals(52, waitForStableEnd(admin, topic), "a commit at 20 opens the window to 52");
                admin.alterConsumerGroupOffsets("slow", Map.of(new TopicPartition(topic, 0),
                        new OffsetAndMetadata(52))).all().get(10, TimeUnit.SECONDS);
                long end = waitForStableEnd(admin, topic);
                assertTrue(end == 84, "end offset " + end);
                admin.alterConsumerGroupOffsets("slow", Map.of(new TopicPartition(topic, 0),
                        new OffsetAndMetadata(400))).all().get(10, TimeUnit.SECONDS);
                loader.completion().block(Duration.ofSeconds(30));
                assertEquals(401, endOffset(admin, topic), "400 samples and one EPOCH_END marker");
            }
        }
    }
}
