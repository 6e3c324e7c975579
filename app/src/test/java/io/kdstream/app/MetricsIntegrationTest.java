package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.cli.MetricsEndpoint;
import io.kdstream.core.cli.ProcessMetrics;
import io.kdstream.teacher.TeacherService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes {@code /metrics} over HTTP while a real pipeline (loader, augmenter, teacher service, student trainer on the
 * embedded broker) runs: the meters the cluster dashboard and the README promise are there and move, and every
 * metric the Grafana dashboard queries is one the pipeline actually exposes.
 */
class MetricsIntegrationTest {
    /** A series (name plus labels as written) and its value, from one scrape. */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            try {
                out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            } catch (NumberFormatException e) {
                // exemplars or timestamps would end differently; none are configured
            }
        }
        return out;
    }

    /** The metric names (families, before any label) in a scrape. */
    private static Set<String> names(Map<String, Double> scrape) {
        Set<String> n = new TreeSet<>();
        scrape.keySet().forEach(k -> n.add(k.contains("{") ? k.substring(0, k.indexOf('{')) : k));
        return n;
    }

    /** The largest increase of the series matching {@code name} and all {@code labels} between two scrapes. */
    private static double maxIncrease(List<Map<String, Double>> scrapes, String name, String... labels) {
        double best = 0;
        for (int i = 1; i < scrapes.size(); i++) {
            for (Map.Entry<String, Double> e : scrapes.get(i).entrySet()) {
                if (!matches(e.getKey(), name, labels)) {
                    continue;
                }
                Double before = scrapes.get(i - 1).get(e.getKey());
                if (before != null) {
                    best = Math.max(best, e.getValue() - before);
                }
            }
        }
        return best;
    }

    private static boolean matches(String series, String name, String... labels) {
        if (!(series.equals(name) || series.startsWith(name + "{"))) {
            return false;
        }
        for (String l : labels) {
            if (!series.contains(l)) {
                return false;
            }
        }
        return true;
    }

    /** Whether some scrape has a finite value for a series matching {@code name} and {@code labels}. */
    private static boolean hasFinite(List<Map<String, Double>> scrapes, String name, String... labels) {
        return scrapes.stream().anyMatch(s -> s.entrySet().stream()
                .anyMatch(e -> matches(e.getKey(), name, labels) && Double.isFinite(e.getValue())));
    }

    /** Metric names in the {@code expr} fields of the dashboard JSON. */
    static Set<String> dashboardMetrics(Path dashboard) throws Exception {
        String json = Files.readString(dashboard);
        Set<String> out = new TreeSet<>();
        Matcher expr = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        Pattern metric = Pattern.compile("\\b((?:kds|kafka|jvm|process|system)_[a-z0-9_]+)\\b");
        while (expr.find()) {
            Matcher m = metric.matcher(expr.group(1));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    @Test
    void shouldExposeMovingMetersOfEveryStageAndEverythingTheDashboardQueries(@TempDir Path tmp) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SmokePipeline.copyShippedTeacher(models.resolve("fashion-cnn32"));
        List<Map<String, Double>> scrapes = new CopyOnWriteArrayList<>();
        try (ProcessMetrics metrics = new ProcessMetrics("pipeline", "test");
             MetricsEndpoint endpoint = new MetricsEndpoint(metrics.registry(), "127.0.0.1", 0);
             EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests());
             SmokePipeline p = new SmokePipeline(broker.bootstrapServers(), tmp.resolve("student"), models,
                     metrics.registry())) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                    .build();
            Thread scraper = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        scrapes.add(parse(http.send(scrape, HttpResponse.BodyHandlers.ofString()).body()));
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "test-scraper");
            TeacherService teacher = p.teacher("fashion-cnn32", Map.of(), metrics.registry());
            p.startStudentAnd(teacher);
            scraper.start();
            p.startSources();
            p.awaitStudent();
            // the GC timer (jvm_gc_pause) appears with the first collection after the meters bind; a short run on a
            // large heap may see none, so ask for one (the notification arrives during the wait below)
            System.gc();
            Thread.sleep(6000); // one more consumer-lag refresh after the last commit
            scraper.interrupt();
            scraper.join();
            scrapes.add(parse(http.send(scrape, HttpResponse.BodyHandlers.ofString()).body()));
        }
        assertTrue(scrapes.size() > 10, "scraped " + scrapes.size() + " times");
        Map<String, Double> last = scrapes.get(scrapes.size() - 1);
        System.out.println("metric names exposed: " + names(last));

        // throughput of every stage: images/s (and batches/s where a stage makes batches) moved during the run
        for (String stage : List.of("loader", "augmenter", "teacher", "student")) {
            assertTrue(maxIncrease(scrapes, "kds_stage_images_total", "stage=\"" + stage + "\"") > 0, stage);
        }
        for (String stage : List.of("augmenter", "teacher", "student")) {
            assertTrue(maxIncrease(scrapes, "kds_stage_batches_total", "stage=\"" + stage + "\"") > 0, stage);
        }
        // latencies, the teacher's forward pass, Kafka client metrics
        assertTrue(maxIncrease(scrapes, "kds_pipeline_latency_seconds_count") > 0);
        assertTrue(maxIncrease(scrapes, "kds_teacher_forward_seconds_count", "teacher=\"fashion-cnn32\"") > 0);
        for (String stage : List.of("teacher", "student")) { // the compute threads' waits for input
            assertTrue(maxIncrease(scrapes, "kds_stage_input_wait_seconds_count", "stage=\"" + stage + "\"") > 0, stage);
        }
        assertTrue(maxIncrease(scrapes, "kafka_consumer_fetch_manager_records_consumed_total") > 0);
        assertTrue(maxIncrease(scrapes, "kafka_producer_record_send_total") > 0);
        // lag per group and queue fill per stage were read and were non-zero at some point
        for (String group : List.of("kds.augmenter", "kds.teacher", "kds.student")) {
            assertTrue(hasFinite(scrapes, "kds_consumer_lag_records", "group=\"" + group + "\""), group);
        }
        assertTrue(scrapes.stream().anyMatch(s -> s.entrySet().stream().anyMatch(e ->
                matches(e.getKey(), "kds_consumer_lag_records") && e.getValue() > 0)), "some lag was seen");
        for (String stage : List.of("augmenter", "teacher", "student")) {
            assertTrue(hasFinite(scrapes, "kds_stage_queue", "stage=\"" + stage + "\""), stage);
        }
        // the student's loss parts and learning rate during training, evaluation after it
        for (String gauge : List.of("kds_student_loss", "kds_student_loss_ce", "kds_student_loss_kd",
                "kds_student_learning_rate")) {
            assertTrue(hasFinite(scrapes, gauge), gauge);
        }
        assertTrue(last.entrySet().stream().anyMatch(e -> matches(e.getKey(), "kds_eval_top1", "model=\"student\"")
                && e.getValue() > 0.1), "student top-1 published");
        assertTrue(hasFinite(List.of(last), "kds_eval_agreement"));
        assertTrue(hasFinite(List.of(last), "kds_teacher_active", "version=\"1\""));
        assertTrue(maxIncrease(scrapes, "kds_student_teacher_batches_total", "teacher=\"fashion-cnn32\"") > 0);
        assertTrue(hasFinite(List.of(last), "kds_dead_letters_total", "reason=\"corrupt_image\""));
        assertTrue(hasFinite(List.of(last), "jvm_memory_used_bytes"));
        assertTrue(last.keySet().stream().allMatch(k -> k.contains("service=\"pipeline\"") || !k.contains("{")),
                "every series carries the service tag");
        assertFalse(last.keySet().stream().anyMatch(k -> k.contains("batch=") || k.contains("sample=")),
                "no batch or sample ids in tags");

        // the dashboard queries only metrics that exist
        Set<String> exposed = names(last);
        Set<String> queried = dashboardMetrics(DemoCommand.testdata().resolveSibling(
                "monitoring/grafana/dashboards/kdstream.json"));
        assertTrue(queried.size() >= 15, "dashboard queries " + queried);
        List<String> missing = new ArrayList<>(queried);
        missing.removeAll(exposed);
        assertTrue(missing.isEmpty(), "the dashboard queries metrics no pipeline exposes: " + missing);
    }
}
