package io.kdstream.app;

import io.kdstream.augmenter.Augmenter;
import io.kdstream.augmenter.AugmenterConfig;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.RateWindow;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetException;
import io.kdstream.models.DjlThreads;
import io.kdstream.models.Models;
import io.kdstream.models.Network;
import io.kdstream.student.StudentConfig;
import io.kdstream.student.StudentTrainer;
import io.kdstream.student.train.StudentLoop;
import io.kdstream.teacher.TeacherConfig;
import io.kdstream.teacher.TeacherService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code kdstream bench train}: side by side in one run, on the same batches, (a) the student's images/s fed
 * through Kafka vs fed from memory, and (b) the teacher service's annotate rate vs the raw forward rate of the same
 * model at the same batch size. Rates are steady-state: from the end of the first batch to the end of the last; the
 * in-memory runs are repeated and the second pass counts, so neither side pays the engine's warm-up.
 */
final class TrainBench {
    static final Map<String, String> DEFAULTS = Map.of("dataset.limit", "25600", "dataset.test-limit", "500",
            "pipeline.epochs", "1", "student.resume", "false");

    private TrainBench() {
    }

    static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(args, env, positional).withDefaults(DEFAULTS).withDefaults(Demo.DEFAULTS);
        Path out;
        KafkaSettings kafka;
        LoaderConfig loaderConfig;
        AugmenterConfig augConfig;
        TeacherConfig teacherConfig;
        StudentConfig studentConfig;
        try {
            out = Files.createTempDirectory("kdstream-bench-");
            kafka = KafkaSettings.from(s);
            Dataset train = io.kdstream.loader.dataset.DatasetSpec.from(s).open(true);
            loaderConfig = LoaderConfig.from(s, List.of(kafka.group(Augmenter.STAGE)));
            augConfig = AugmenterConfig.from(s, List.of());
            teacherConfig = TeacherConfig.from(s);
            Settings st = s.overriding(Map.of("student.out", out.resolve("student").toString()));
            studentConfig = StudentConfig.from(st, train.size(), train.numClasses(), train.channels(),
                    kafka.partitions());
            s.markUsed(st);
            s.requireAllUsed();
        } catch (ConfigException | DatasetException | java.io.IOException e) {
            System.err.println("kdstream bench train: " + e.getMessage());
            return 2;
        }
        Scheduler djl = DjlThreads.newScheduler("kds-bench-djl");
        Scheduler ticker = Schedulers.newSingle("kds-progress", true);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            KafkaSettings k = kafka.withBootstrap(broker.bootstrapServers());
            LocalRun.run(List.of(new Loader(loaderConfig, k, new SimpleMeterRegistry()),
                    new Augmenter(augConfig, k, new SimpleMeterRegistry())), ticker);
            List<AugmentedBatch> augmented = readBatches(k, Topic.AUGMENTED, AugmentedBatch::decode);
            long images = augmented.stream().mapToLong(AugmentedBatch::size).sum();
            System.err.printf(Locale.ROOT, "bench train: %d batches, %d images; teacher %s; student %s%n",
                    augmented.size(), images, teacherConfig.model(), studentConfig.spec().describe());

            double rawTeacher = Mono.fromCallable(() -> {
                try (Network t = Network.load(teacherConfig.model(), Models.device(teacherConfig.device()))) {
                    double rate = 0;
                    for (int pass = 0; pass < 2; pass++) { // the first pass warms the JIT and the engine up
                        RateWindow w = new RateWindow();
                        for (AugmentedBatch b : augmented) {
                            t.logits(b.view());
                            w.record(b.size());
                        }
                        rate = w.rate();
                    }
                    return rate;
                }
            }).subscribeOn(djl).block();
            TeacherService teacher = new TeacherService(teacherConfig, k, new SimpleMeterRegistry());
            LocalRun.run(List.of(teacher), ticker);
            double serviceTeacher = teacher.annotateRate();

            List<AnnotatedBatch> annotated = readBatches(k, Topic.ANNOTATED, AnnotatedBatch::decode);
            double memoryStudent = Mono.fromCallable(() -> {
                double rate = 0;
                for (int pass = 0; pass < 2; pass++) { // a fresh student each pass; the first warms up
                    try (StudentLoop loop = new StudentLoop(studentConfig.spec(), studentConfig.options(),
                            Models.devices(studentConfig.device()))) {
                        RateWindow w = new RateWindow();
                        for (AnnotatedBatch a : annotated) {
                            loop.step(a.batch().trainingView(), a.batch().targets(), a.teacherLogits());
                            w.record(a.batch().size());
                        }
                        rate = w.rate();
                    }
                }
                return rate;
            }).subscribeOn(djl).block();
            StudentTrainer student = new StudentTrainer(studentConfig, k, new SimpleMeterRegistry());
            LocalRun.run(List.of(student), ticker);
            double kafkaStudent = student.trainingRate();

            System.out.printf(Locale.ROOT, "%n| measurement (%d images, batch %d) | images/s |%n|---|---:|%n", images,
                    augConfig.batchSize());
            System.out.printf(Locale.ROOT, "| student from memory (same annotated batches, same loop) | %.0f |%n",
                    memoryStudent);
            System.out.printf(Locale.ROOT, "| student through Kafka (kdstream student trainer on the annotated topic) "
                    + "| %.0f |%n", kafkaStudent);
            System.out.printf(Locale.ROOT, "| teacher raw forward (same model, same batches) | %.0f |%n", rawTeacher);
            System.out.printf(Locale.ROOT, "| teacher service (consume, forward, publish, ack) | %.0f |%n",
                    serviceTeacher);
            System.out.printf(Locale.ROOT, "%nratio student Kafka / memory = %.3f%nratio teacher service / raw = %.3f%n",
                    kafkaStudent / memoryStudent, serviceTeacher / rawTeacher);
            return 0;
        } catch (RuntimeException e) {
            System.err.println("kdstream bench train failed: " + e.getMessage());
            e.printStackTrace(System.err);
            return 1;
        } finally {
            djl.dispose();
            ticker.dispose();
        }
    }

    private static <T> List<T> readBatches(KafkaSettings kafka, Topic topic, Function<byte[], T> decode) {
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("bench-read-" + System.nanoTime(),
                "bench"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(kafka.topic(topic)));
            int idle = 0;
            while (idle < 5) {
                int n = 0;
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(400))) {
                    n++;
                    if (FrameCodec.decode(r.value()).kind() != RecordKind.EPOCH_END) {
                        out.add(decode.apply(r.value()));
                    }
                }
                idle = n == 0 && !c.assignment().isEmpty() ? idle + 1 : 0;
            }
        }
        return out;
    }
}
