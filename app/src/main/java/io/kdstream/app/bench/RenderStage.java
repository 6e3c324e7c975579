package io.kdstream.app.bench;

import io.kdstream.core.Progress;
import io.kdstream.core.Service;
import io.kdstream.core.image.BatchRenderer;
import io.kdstream.core.image.RenderException;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@code bench data} with {@code loader.ship=reference}: what the teacher service does with a batch of view records
 * before its forward pass (decode the files, render the teacher's view), as a stage of its own, so the bench times
 * loader -> augmenter -> rendered views, the pixels a model would see. Completes after {@code images} images.
 */
final class RenderStage implements Service {
    private final KafkaSettings kafka;
    private final long images;
    private final BatchRenderer renderer;
    private final Progress progress = new Progress("render", "images");
    private final Sinks.Empty<Void> done = Sinks.empty();
    private volatile boolean stopped;
    private Thread thread;

    RenderStage(KafkaSettings kafka, long images, int threads) {
        this.kafka = kafka;
        this.images = images;
        this.renderer = new BatchRenderer(threads);
        progress.total(images);
    }

    @Override
    public Progress progress() {
        return progress;
    }

    @Override
    public Mono<Void> completion() {
        return done.asMono();
    }

    @Override
    public synchronized void start() {
        thread = new Thread(this::run, "kds-bench-render");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer(kafka.group("render"), "render"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(kafka.topic(Topic.AUGMENTED)));
            while (!stopped && progress.done() < images) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    Frame f = FrameCodec.decode(r.value());
                    if (f.kind() == RecordKind.AUGMENTED_BATCH) {
                        AugmentedBatch b = renderer.renderTeacher(AugmentedBatch.fromFrame(f));
                        progress.add(b.size());
                    }
                }
            }
            progress.finish();
            done.tryEmitEmpty();
        } catch (RenderException | RuntimeException e) {
            done.tryEmitError(new IllegalStateException("rendering view records failed: " + e.getMessage(), e));
        }
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        renderer.close();
    }
}
