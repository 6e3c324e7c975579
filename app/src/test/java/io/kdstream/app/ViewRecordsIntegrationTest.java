package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loader.ship=reference} end to end on a real broker: the loader names files, the augmenter publishes view
 * records, the teacher renders its view from the files and the student renders its own, checked against the
 * teacher's checksum. Every batch is trained once, nothing is dead-lettered (no checksum differed), and the
 * annotated records carry no pixels.
 */
class ViewRecordsIntegrationTest {
    private static final int PER_CLASS = 20;

    /** 10 classes of Fashion-MNIST images as 28 px grey PNGs, and a test split. */
    private static void writeFolder(Path root) throws Exception {
        Dataset mini = DatasetSpec.idx(DemoCommand.testdata().resolve("fashion-mnist-mini")).open(true);
        int[] next = new int[10];
        for (int i = 0; i < mini.size(); i++) {
            Dataset.Item item = mini.read(i);
            int n = next[item.label()]++;
            if (n >= PER_CLASS + 3) {
                continue;
            }
            Path dir = Files.createDirectories(Path.of(root + (n >= PER_CLASS ? "-test" : ""))
                    .resolve("class" + item.label()));
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, 28, 28, item.image().pixels());
            ImageIO.write(img, "png", dir.resolve("img" + i + ".png").toFile());
        }
    }

    @Test
    void shouldTrainFromViewRecordsWithTeacherAndStudentRenderingTheSamePixels(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        writeFolder(data);
        Path models = Files.createDirectories(tmp.resolve("models"));
        SmokePipeline.copyShippedTeacher(models.resolve("fashion-cnn32"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SimpleMeterRegistry teacherMeters = new SimpleMeterRegistry();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models, registry,
                     Map.of("dataset.kind", "folder", "dataset.path", data.toString(), "dataset.channels", "1",
                             "loader.ship", "reference", "pipeline.epochs", "2", "pipeline.batch-size", "16",
                             "student.eval-every", "1"))) {
            p.startStudentAnd(p.teacher("fashion-cnn32", Map.of(), teacherMeters));
            p.startSources();
            p.awaitStudent();

            assertEquals(Demo.producedBatches(p.kafka), p.student.trainedBatches());
            assertEquals(10L * PER_CLASS * 2, p.student.progress().done());
            assertEquals(0, p.student.duplicatesSkipped());
            double dead = registry.find("kds.dead.letters").counters().stream().mapToDouble(Counter::count).sum()
                    + teacherMeters.find("kds.dead.letters").counters().stream().mapToDouble(Counter::count).sum();
            assertEquals(0.0, dead, "no file failed to render and no checksum differed");

            List<Integer> sizes = new ArrayList<>();
            TopicReader.forEachBatch(p.kafka, Topic.ANNOTATED, r -> {
                AnnotatedBatch a = AnnotatedBatch.decode(r.value());
                assertTrue(a.batch().hasRecipe() && a.batch().view() == null, "view records, not pixels");
                assertTrue(a.batch().recipe().teacherViewCrc() >= 0, "the teacher's checksum travels");
                sizes.add(r.value().length);
            });
            assertEquals(Demo.producedBatches(p.kafka).size(), sizes.size());
            double perImage = sizes.stream().mapToInt(Integer::intValue).sum() / (10.0 * PER_CLASS * 2);
            assertTrue(perImage < 200, "annotated bytes per image: " + perImage);
        }
    }
}
