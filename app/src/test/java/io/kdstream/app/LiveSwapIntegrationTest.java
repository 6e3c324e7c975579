package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.MetricNames;
import io.kdstream.core.config.Secret;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.models.Network;
import io.kdstream.teacher.SwapOrder;
import io.kdstream.teacher.SwapPublisher;
import io.kdstream.teacher.TeacherService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live teacher swap and teacher replicas on the embedded broker, with the real loader, augmenter, teacher service and
 * student trainer on the shipped 400-image subset: swap through the admin endpoint, hand over to a replica running a
 * new version, and two replicas sharing the work. Every check is by batch id.
 */
class LiveSwapIntegrationTest {
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final int EPOCHS = SmokePipeline.EPOCHS;
    private static final int BATCHES = SmokePipeline.BATCHES;

    @TempDir
    static Path models;

    /**
     * Two teachers that differ (the shipped CNN as v1, the narrower shipped CNN as v2: a swap that kept the old
     * weights would show in the logits), and the narrower one again for the swap order.
     */
    @BeforeAll
    static void copyTeachers() throws IOException {
        SmokePipeline.copyShippedTeacher(models.resolve("fashion-v1"));
        SmokePipeline.copyShippedTeacher("fashion-cnn16", models.resolve("fashion-v2"));
        SmokePipeline.copyShippedTeacher("fashion-cnn16", models.resolve("fashion-w16"));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private static long batchesOf(TeacherService t) {
        return t.progress().done() / 32; // every batch but the last of a partition's epoch holds 32 images
    }

    /** Per partition, the teachers in training order, collapsed to the sequence of distinct runs. */
    private static Map<String, List<String>> versionRuns(Map<String, String> trainedBy) {
        Map<String, List<String>> runs = new HashMap<>();
        trainedBy.forEach((key, teacher) -> {
            String partition = key.split("-")[1]; // e<epoch>-p<partition>-b<seq>
            List<String> r = runs.computeIfAbsent(partition, p -> new ArrayList<>());
            if (r.isEmpty() || !r.get(r.size() - 1).equals(teacher)) {
                r.add(teacher);
            }
        });
        return runs;
    }

    /** Every key on the annotated topic, with how often it appears. */
    private static Map<String, Integer> annotatedKeys(KafkaSettings kafka) {
        Map<String, Integer> keys = new HashMap<>();
        TopicReader.forEachBatch(kafka, Topic.ANNOTATED, r -> keys.merge(r.key(), 1, Integer::sum));
        return keys;
    }

    private static void assertEveryBatchTrainedOnce(SmokePipeline p) {
        assertEquals(Demo.producedBatches(p.kafka), p.student.trainedBatches(), "every produced batch trained");
        assertEquals(BATCHES, p.student.trainedBatches().size());
        assertEquals(BATCHES, p.student.trainedBy().size(), "every batch trained on teacher logits");
    }

    private static HttpResponse<String> admin(int port, String method, String token, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/teacher"))
                .timeout(Duration.ofMinutes(1));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b = method.equals("POST") ? b.header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)) : b.GET();
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldSwapTheTeacherThroughTheAdminEndpointMidRunTrainingEveryBatchOnce(@TempDir Path tmp) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models,
                     new SimpleMeterRegistry())) {
            TeacherService teacher = p.teacher("fashion-v1", Map.of("teacher.version", "1", "admin.port", "0",
                    "admin.host", "127.0.0.1", "admin.token", TOKEN), new SimpleMeterRegistry());
            p.startStudentAnd(teacher);
            int port = teacher.adminPort();

            // the endpoint refuses requests without the token or with a wrong one, and swaps nothing then
            assertEquals(401, admin(port, "GET", null, "").statusCode());
            assertEquals(401, admin(port, "POST", "wrong-token-0123456789abcdef", "model=fashion-v2").statusCode());
            assertEquals(401, admin(port, "POST", TOKEN + "x", "model=fashion-v2").statusCode());
            HttpResponse<String> now = admin(port, "GET", TOKEN, "");
            assertEquals(200, now.statusCode());
            assertTrue(now.body().contains("\"version\": \"1\""), now.body());
            // paths outside the model root, and missing models, are refused with the reason; v1 keeps running
            HttpResponse<String> escape = admin(port, "POST", TOKEN, "model=../../etc");
            assertEquals(400, escape.statusCode());
            assertTrue(escape.body().contains("outside the model root"), escape.body());
            assertEquals(400, admin(port, "POST", TOKEN, "model=no-such-model").statusCode());
            assertEquals(400, admin(port, "POST", TOKEN, "version=2").statusCode());

            p.startSources();
            await("the teacher to annotate 20 batches", () -> batchesOf(teacher) >= 20);
            HttpResponse<String> swapped = admin(port, "POST", TOKEN, "model=fashion-v2&version=2");
            assertEquals(200, swapped.statusCode(), swapped.body());
            assertTrue(swapped.body().contains("\"version\": \"2\""), swapped.body());
            assertTrue(batchesOf(teacher) < BATCHES - 20, "the swap must land mid-run");
            p.awaitStudent();

            assertEveryBatchTrainedOnce(p);
            assertEquals(0, p.student.duplicatesSkipped());
            Map<String, List<String>> runs = versionRuns(p.student.trainedBy());
            assertEquals(Map.of("p0", List.of("fashion-v1@1", "fashion-v2@2"), "p1",
                    List.of("fashion-v1@1", "fashion-v2@2")), runs, "each partition switches from v1 to v2 once");
            var v2Batches = p.registry.find(MetricNames.STUDENT_TEACHER_BATCHES).tag("version", "2").counter();
            assertTrue(v2Batches != null && v2Batches.count() > 0, "the student meters the batches of v2");
            assertLogitsAreThoseOfTheTeacherNamed(p);
        }
    }

    /** Every annotated batch carries the logits of the model its teacher id and version name, not another's. */
    private static void assertLogitsAreThoseOfTheTeacherNamed(SmokePipeline p) {
        Map<String, Long> checked = new java.util.TreeMap<>();
        try (Network v1 = Network.load(models.resolve("fashion-v1"), Device.cpu());
             Network v2 = Network.load(models.resolve("fashion-v2"), Device.cpu())) {
            TopicReader.forEachBatch(p.kafka, Topic.ANNOTATED, r -> {
                AnnotatedBatch a = AnnotatedBatch.decode(r.value());
                Network by = a.teacherId().equals("fashion-v2") ? v2 : v1;
                float[] expected = by.logits(a.batch().view());
                float[] other = (by == v1 ? v2 : v1).logits(a.batch().view());
                assertArrayEquals(expected, a.teacherLogits(), 1e-3f, a.batch().key() + " from " + a.teacherId());
                double apart = 0;
                for (int i = 0; i < expected.length; i++) {
                    apart = Math.max(apart, Math.abs(expected[i] - other[i]));
                }
                assertTrue(apart > 0.1, "the two teachers differ on " + a.batch().key());
                checked.merge(a.teacherId(), 1L, Long::sum);
            });
        }
        assertEquals(java.util.Set.of("fashion-v1", "fashion-v2"), checked.keySet(), checked.toString());
    }

    @Test
    void shouldSwapEveryReplicaWithOneSignedOrderAndKeepItForAReplicaThatStartsLater(@TempDir Path tmp)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models,
                     new SimpleMeterRegistry())) {
            SimpleMeterRegistry ma = new SimpleMeterRegistry();
            SimpleMeterRegistry mb = new SimpleMeterRegistry();
            TeacherService a = p.teacher("fashion-v1", Map.of("admin.token", TOKEN), ma);
            TeacherService b = p.teacher("fashion-v1", Map.of("admin.token", TOKEN), mb);
            p.startStudentAnd(a, b);
            p.startSources();
            await("the replicas to annotate 16 batches", () -> batchesOf(a) + batchesOf(b) >= 16);

            // an order signed with another token is refused by every replica and changes nothing
            SwapPublisher.publish(p.kafka, new SwapOrder("fashion-w16", "", "", System.currentTimeMillis(), "test"),
                    Secret.of("wrong-token-0123456789abcdef"));
            await("both replicas to refuse the forged order", () -> refused(ma) == 1 && refused(mb) == 1);
            assertEquals("fashion-v1", a.teacher().id());
            assertEquals("fashion-v1", b.teacher().id());

            // one order reaches every replica
            SwapPublisher.publish(p.kafka, new SwapOrder("fashion-w16", "", "", System.currentTimeMillis(), "test"),
                    Secret.of(TOKEN));
            await("both replicas to run fashion-w16", () -> a.teacher().id().equals("fashion-w16")
                    && b.teacher().id().equals("fashion-w16"));
            assertTrue(batchesOf(a) + batchesOf(b) < BATCHES - 10, "the swap must land mid-run");

            // a replica that starts afterwards, configured with the old teacher, runs the ordered one from its start
            TeacherService c = p.teacher("fashion-v1", Map.of("admin.token", TOKEN), new SimpleMeterRegistry());
            c.start();
            assertEquals("fashion-w16", c.teacher().id());
            p.awaitStudent();

            assertEveryBatchTrainedOnce(p);
            assertEquals(0, p.student.duplicatesSkipped());
            Set<String> teachers = new HashSet<>(p.student.trainedBy().values());
            assertTrue(teachers.stream().anyMatch(t -> t.startsWith("fashion-v1@"))
                    && teachers.stream().anyMatch(t -> t.startsWith("fashion-w16@")), teachers.toString());
            versionRuns(p.student.trainedBy()).forEach((partition, runs) -> assertEquals("fashion-w16",
                    runs.get(runs.size() - 1).split("@")[0], partition + " ends on the ordered teacher: " + runs));
        }
    }

    private static double refused(SimpleMeterRegistry m) {
        var c = m.find(MetricNames.TEACHER_SWAPS).tag("outcome", "refused").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void shouldHandOverToAReplicaWithANewTeacherWithoutLosingOrRepeatingABatch(@TempDir Path tmp) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models,
                     new SimpleMeterRegistry())) {
            TeacherService v1 = p.teacher("fashion-v1", Map.of("teacher.version", "1"), new SimpleMeterRegistry());
            p.startStudentAnd(v1);
            p.startSources();
            await("v1 to annotate 20 batches", () -> batchesOf(v1) >= 20);
            TeacherService v2 = p.teacher("fashion-v2", Map.of("teacher.version", "2"), new SimpleMeterRegistry());
            v2.start(); // joins the group: the partitions are shared, v1 finishing what it took first
            await("v2 to annotate a batch", () -> v2.progress().done() > 0);
            v1.stop(); // drains: v2 takes every partition from the committed offsets
            assertTrue(batchesOf(v2) < BATCHES - 20, "the hand-over must land mid-run");
            p.awaitStudent();

            assertEveryBatchTrainedOnce(p);
            Map<String, Integer> annotated = annotatedKeys(p.kafka);
            assertEquals(BATCHES, annotated.size());
            annotated.forEach((k, n) -> assertEquals(1, n, "batch " + k + " annotated " + n + " times"));
            assertEquals(0, p.student.duplicatesSkipped());
            versionRuns(p.student.trainedBy()).forEach((partition, runs) ->
                    assertEquals(List.of("fashion-v1@1", "fashion-v2@2"), runs, partition + " switches once"));
        }
    }

    @Test
    void shouldShareTheWorkBetweenTwoReplicasAnnotatingNoBatchTwice(@TempDir Path tmp) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models,
                     new SimpleMeterRegistry());
             Admin admin = Admin.create(KafkaSettings.local(broker.bootstrapServers(), 2).admin("test"))) {
            TeacherService a = p.teacher("fashion-v1", Map.of(), new SimpleMeterRegistry());
            TeacherService b = p.teacher("fashion-v1", Map.of(), new SimpleMeterRegistry());
            p.startStudentAnd(a, b);
            String group = p.kafka.group(TeacherService.STAGE);
            await("both replicas to own a partition", () -> {
                try {
                    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                    return d.members().size() == 2 && d.members().stream()
                            .allMatch(m -> m.assignment().topicPartitions().size() == 1);
                } catch (Exception e) {
                    return false;
                }
            });
            p.startSources();
            p.awaitStudent();

            assertEveryBatchTrainedOnce(p);
            assertTrue(a.progress().done() > 0 && b.progress().done() > 0, "both replicas annotate: "
                    + a.progress().done() + " and " + b.progress().done() + " images");
            assertEquals(400L * EPOCHS, a.progress().done() + b.progress().done(),
                    "together they annotate every image once");
            Map<String, Integer> annotated = annotatedKeys(p.kafka);
            assertEquals(BATCHES, annotated.size());
            annotated.forEach((k, n) -> assertEquals(1, n, "batch " + k + " annotated " + n + " times"));
        }
    }
}
