package io.kdstream.student;

import io.kdstream.core.image.ReplayViews;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.kafka.StageKafka;
import io.kdstream.core.kafka.Topic;
import io.kdstream.loader.dataset.Dataset;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Flux;

/**
 * Where the student's records come from: its input topic on the broker (with the stage's dead letters), or a
 * recording it replays ({@code student.replay}: no broker, the views rendered again from the dataset's images).
 *
 * @param records     the records, from where the checkpoint left off
 * @param source      the dataset's images for a replay's views; null when reading the broker
 * @param deadLetters where bad records go; null in a replay, where a bad record stops the run
 * @param what        what is read, for the log
 */
record StudentInput(Flux<ReceivedRecord<String, byte[]>> records, ReplayViews.Source source, DeadLetters deadLetters,
                    String what, StageKafka stage) implements AutoCloseable {

    /** Opens the student's input, resuming at {@code resumeAt}. */
    static StudentInput open(StudentConfig config, KafkaSettings kafka, MeterRegistry registry,
                             Map<TopicPartition, Long> resumeAt) {
        if (config.replay().from().isPresent()) {
            Path file = config.replay().from().get();
            Dataset data = config.dataset().open(true);
            Recording.header(file).check(file, data);
            return new StudentInput(Recording.replay(file, resumeAt.getOrDefault(new TopicPartition(Recording.TOPIC,
                    0), 0L)), Recording.source(data), null, "the recording " + file, null);
        }
        Topic input = config.mode() == StudentConfig.Mode.DISTILL ? Topic.ANNOTATED : Topic.AUGMENTED;
        StageKafka stage = StageKafka.open(kafka, StudentTrainer.STAGE, registry, input);
        return new StudentInput(stage.receiver(Duration.ofMillis(200), 8).withStartOffsets(resumeAt).receive(), null,
                stage.deadLetters(), kafka.topic(input), stage);
    }

    @Override
    public void close() {
        if (stage != null) {
            stage.close();
        }
    }
}
