package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.config.Settings;
import io.kdstream.core.image.ReplayViews;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.models.SavedModel;
import io.kdstream.student.Recording;
import io.kdstream.student.StudentConfig;
import io.kdstream.student.StudentTrainer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded run replayed: a live distillation run on a real broker records what its student trains on
 * ({@code student.record}); the recording holds no pixels, yet every view rendered from it equals, byte for byte,
 * the view the teacher annotated, and the targets equal the live ones; two replays with the same seed train
 * identical weights, with no broker and no teacher, on the batches the live student trained, in its order; and
 * {@code kdstream run student --student.replay} in another JVM renders the same views and trains the same batches.
 */
class ReplayIntegrationTest {
    private static final String EPOCHS = "3";

    @Test
    void shouldTrainIdenticalStudentsFromARecordingWithoutATeacher(@TempDir Path tmp) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SmokePipeline.copyShippedTeacher(models.resolve("a-teacher"));
        Path recording = tmp.resolve("run.kdr");
        Map<String, byte[]> annotated = new HashMap<>();
        long batches;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("live"), models,
                     new SimpleMeterRegistry(), Map.of("pipeline.epochs", EPOCHS, "student.seed", "7",
                             "student.record", recording.toString()))) {
            p.startStudentAnd(p.teacher("a-teacher", Map.of(), new SimpleMeterRegistry()));
            p.startSources();
            p.awaitStudent();
            batches = p.student.trainedBatches().size();
            TopicReader.forEachBatch(p.kafka, Topic.ANNOTATED, r -> annotated.put(r.key(), r.value()));
        }
        assertEquals(14 * Integer.parseInt(EPOCHS), batches);

        // the views and targets of the recording, rendered from the dataset, are the live ones
        Dataset data = DatasetSpec.from(settings(tmp, "check")).open(true);
        ReplayViews.Source source = Recording.source(data);
        List<Frame> entries = new ArrayList<>();
        Recording.replay(recording, 0).doOnNext(r -> entries.add(FrameCodec.decode(r.value()))).blockLast();
        int checked = 0;
        for (Frame stripped : entries) {
            if (stripped.kind() != RecordKind.ANNOTATED_BATCH) {
                continue;
            }
            assertTrue(ReplayViews.isStripped(stripped) && stripped.optionalTensor("view") == null, "no pixels kept");
            AnnotatedBatch replayed = AnnotatedBatch.fromFrame(ReplayViews.restore(stripped, source));
            AnnotatedBatch live = AnnotatedBatch.decode(annotated.get(replayed.batch().key()));
            assertArrayEquals(bytes(live.batch().trainingView().toTensor("v").data()),
                    bytes(replayed.batch().trainingView().toTensor("v").data()), replayed.batch().key());
            assertArrayEquals(live.batch().targets(), replayed.batch().targets(), replayed.batch().key());
            assertArrayEquals(live.teacherLogits(), replayed.teacherLogits(), replayed.batch().key());
            checked++;
        }
        assertEquals(batches, checked, "every trained batch is in the recording");
        double perSample = (double) Files.size(recording) / (batches * 32);
        System.out.printf("recording: %d bytes, %.1f bytes a sample (its 28 px view alone: 3,136 as float32)%n",
                Files.size(recording), perSample);
        assertTrue(perSample < 200, "bytes a sample: " + perSample);

        // two replays, no broker and no teacher: the same weights, trained on the live run's batches in its order
        byte[] first = replay(tmp, "replay-1");
        byte[] second = replay(tmp, "replay-2");
        assertArrayEquals(first, second, "two replays with the same seed train the same weights");
        assertEquals(Files.readAllLines(tmp.resolve("live/trained-batches.txt")),
                Files.readAllLines(tmp.resolve("replay-1/trained-batches.txt")), "the live run's batches, in order");
        assertEquals(Long.toString(batches), SavedModel.describe(tmp.resolve("replay-1/model")).getValue()
                .get("steps"));

        // and in another JVM, through the command a user runs
        Path out = tmp.resolve("replay-jvm");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Kdstream.class.getName(), "run",
                "student"));
        settingsMap(tmp, "replay-jvm").forEach((k, v) -> cmd.add("--" + k + "=" + v));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("replay-jvm.log").toFile()).start();
        assertTrue(proc.waitFor(3, TimeUnit.MINUTES), "the replay ends");
        assertEquals(0, proc.exitValue(), Files.readString(tmp.resolve("replay-jvm.log")));
        // every view it rendered passed the augmenter's CRC-32C (a mismatch stops a replay), and it trained the same
        // batches in the same order; its weights matched bit for bit in most runs here, not all (docs/ROADMAP.md)
        assertEquals(Files.readAllLines(tmp.resolve("replay-1/trained-batches.txt")),
                Files.readAllLines(out.resolve("trained-batches.txt")), "the same batches, in the same order");
        System.out.println("replay in another JVM: weights " + (java.util.Arrays.equals(first,
                Files.readAllBytes(out.resolve("model").resolve(SavedModel.PARAMS))) ? "identical" : "DIFFERENT")
                + " to the in-process replay's");
    }

    private static byte[] replay(Path tmp, String name) throws Exception {
        Settings s = settings(tmp, name);
        Dataset train = DatasetSpec.from(s).open(true);
        try (StudentTrainer t = new StudentTrainer(StudentConfig.from(s, train.size(), train.numClasses(),
                train.channels(), 2), KafkaSettings.from(s), new SimpleMeterRegistry())) {
            t.start();
            t.completion().block(Duration.ofMinutes(3));
        }
        return Files.readAllBytes(tmp.resolve(name).resolve("model").resolve(SavedModel.PARAMS));
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static Map<String, String> settingsMap(Path tmp, String name) {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap", "127.0.0.1:9"); // never contacted: a replay needs no broker
        m.put("kafka.partitions", "2");
        m.put("dataset.path", DemoCommand.testdata().resolve("fashion-mnist-mini").toString());
        m.put("dataset.test-limit", "50");
        m.put("pipeline.epochs", EPOCHS);
        m.put("pipeline.batch-size", "32");
        m.put("student.out", tmp.resolve(name).toString());
        m.put("student.resume", "false");
        m.put("student.eval-every", "2");
        m.put("student.seed", "7");
        m.put("student.device", "cpu");
        m.put("student.replay", tmp.resolve("run.kdr").toString());
        return m;
    }

    private static Settings settings(Path tmp, String name) {
        return Settings.of(settingsMap(tmp, name));
    }
}
