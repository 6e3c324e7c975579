package io.kdstream.app.lab;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;

/** What the fault suite reads from the services it runs: their Prometheus metrics, open ports, free ports. */
final class Probes {
    private static final Pattern SERIES = Pattern.compile("^(\\S+?)(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
    private final HttpClient http = HttpClient.newHttpClient();

    /** The student's trained batches from its metrics on {@code port}; -1 when unreachable. */
    long studentBatches(int port) {
        return (long) scrape(port, "kds_stage_batches_total", "stage=\"student\"");
    }

    /** The value of the first series of {@code name} whose labels contain {@code label}; -1 when unreachable. */
    double scrape(int port, String name, String label) {
        String body = body(port);
        if (body == null) {
            return -1;
        }
        Matcher m = SERIES.matcher(body);
        while (m.find()) {
            if (m.group(1).equals(name) && (m.group(2) == null ? "" : m.group(2)).contains(label)) {
                return Double.parseDouble(m.group(3));
            }
        }
        return 0;
    }

    /** The sum of every series of {@code name} whose labels contain {@code label}; -1 when unreachable. */
    double sum(int port, String name, String label) {
        String body = body(port);
        if (body == null) {
            return -1;
        }
        double total = 0;
        Matcher m = SERIES.matcher(body);
        while (m.find()) {
            if (m.group(1).equals(name) && (m.group(2) == null ? "" : m.group(2)).contains(label)) {
                total += Double.parseDouble(m.group(3));
            }
        }
        return total;
    }

    private String body(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    void awaitMetrics(int port) throws InterruptedException {
        await(() -> scrape(port, "kds_stage_batches_total", "") >= 0, Duration.ofMinutes(2),
                "the student's metrics endpoint");
    }

    static void awaitPort(int port, Duration limit) throws InterruptedException {
        await(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, limit, "the broker on port " + port);
    }

    /** Polls {@code condition} every 200 ms; throws naming {@code what} after {@code limit}. */
    static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("faults: timed out after " + limit.toSeconds() + " s waiting for "
                        + what);
            }
            Thread.sleep(200);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Whether one member of the teacher group owns both partitions (the other replica is gone). */
    static boolean oneMemberOwnsAll(Admin admin) {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("kds.teacher")).all()
                    .get(10, TimeUnit.SECONDS).get("kds.teacher");
            return d.members().size() == 1 && d.members().iterator().next().assignment().topicPartitions().size() == 2;
        } catch (Exception e) {
            return false;
        }
    }
}
