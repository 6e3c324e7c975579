package io.kdstream.app;

import io.kdstream.augmenter.Augmenter;
import io.kdstream.augmenter.AugmenterConfig;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.models.SavedModel;
import io.kdstream.student.StudentConfig;
import io.kdstream.student.StudentTrainer;
import io.kdstream.teacher.TeacherService;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: the distillation pipeline on the shipped 400-image subset (2 partitions, batches of 32, 8 epochs),
 * loader, augmenter and student built from the same settings the commands read, and teacher replicas added on demand
 * from a model root. Every service registers in the one registry given.
 */
final class SmokePipeline implements AutoCloseable {
    /** Epochs of a run. */
    static final int EPOCHS = 8;
    /** 400 images over 2 partitions, batches of 32: 7 batches per partition and epoch. */
    static final int BATCHES = 7 * 2 * EPOCHS;

    final KafkaSettings kafka;
    final Loader loader;
    final Augmenter augmenter;
    final StudentTrainer student;
    final List<TeacherService> teachers = new ArrayList<>();
    final MeterRegistry registry;
    private final Path models;

    SmokePipeline(String bootstrap, Path out, Path models, MeterRegistry registry) {
        this(bootstrap, out, models, registry, Map.of());
    }

    /** The same with some settings replaced (another dataset, epochs, batch size, ...). */
    SmokePipeline(String bootstrap, Path out, Path models, MeterRegistry registry, Map<String, String> overrides) {
        this.models = models;
        this.registry = registry;
        Settings settings = Settings.of(overrides).withDefaults(Map.ofEntries(
                Map.entry("kafka.bootstrap", bootstrap),
                Map.entry("kafka.partitions", "2"),
                Map.entry("dataset.path", DemoCommand.testdata().resolve("fashion-mnist-mini").toString()),
                Map.entry("pipeline.epochs", Integer.toString(EPOCHS)),
                Map.entry("pipeline.batch-size", "32"),
                Map.entry("loader.max-ahead-batches", "4"),
                Map.entry("augment.crop-scale-min", "0.35"),
                Map.entry("student.out", out.toString()),
                Map.entry("student.resume", "false"),
                Map.entry("student.eval-every", "2"),
                Map.entry("student.eval-teacher", models.resolve(firstModel(models)).toString()),
                Map.entry("dataset.test-limit", "50")));
        kafka = KafkaSettings.from(settings);
        Dataset train = DatasetSpec.from(settings).open(true);
        loader = new Loader(LoaderConfig.from(settings, List.of(kafka.group(Augmenter.STAGE))), kafka, registry);
        augmenter = new Augmenter(AugmenterConfig.from(settings, List.of(kafka.group(TeacherService.STAGE))), kafka,
                registry);
        student = new StudentTrainer(StudentConfig.from(settings, train.size(), train.numClasses(), train.channels(),
                kafka.partitions()), kafka, registry);
    }

    private static String firstModel(Path models) {
        try (var s = Files.list(models)) {
            return s.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies the shipped teacher (teachers/fashion-cnn32) to {@code dir}. */
    static void copyShippedTeacher(Path dir) throws IOException {
        copyShippedTeacher("fashion-cnn32", dir);
    }

    /** Copies a shipped teacher, {@code teachers/<name>}, to {@code dir}. */
    static void copyShippedTeacher(String name, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path shipped = DemoCommand.testdata().resolveSibling("teachers").resolve(name);
        for (String f : List.of(SavedModel.PARAMS, SavedModel.PROPERTIES)) {
            Files.copy(shipped.resolve(f), dir.resolve(f));
        }
    }

    /** A teacher replica of {@code model} (a directory under the model root), not started. */
    TeacherService teacher(String model, Map<String, String> extra, MeterRegistry meters) {
        Map<String, String> m = new HashMap<>(extra);
        m.put("kafka.bootstrap", kafka.bootstrapServers());
        m.put("kafka.partitions", "2");
        m.put("teacher.model", models.resolve(model).toString());
        m.put("teacher.device", "cpu");
        TeacherService t = TeacherService.fromSettings(Settings.of(m), meters);
        teachers.add(t);
        return t;
    }

    void startStudentAnd(TeacherService... replicas) {
        student.start();
        for (TeacherService t : replicas) {
            t.start();
        }
    }

    void startSources() {
        augmenter.start();
        loader.start();
    }

    void awaitStudent() {
        student.completion().block(Duration.ofMinutes(3));
    }

    @Override
    public void close() {
        loader.stop();
        augmenter.stop();
        teachers.forEach(TeacherService::stop);
        student.stop();
    }
}
