package io.kdstream.app.lab;

import io.kdstream.app.Demo;
import io.kdstream.core.MetricNames;
import io.kdstream.core.Progress;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Key;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.LagProbe;
import io.kdstream.core.kafka.Topic;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code kdstream faults --faults.soak=60m}: the pipeline as separate processes with {@code pipeline.epochs=0} (a
 * run that never ends) for a set time, two teacher replicas of which one is SIGKILLed and replaced every
 * {@code faults.soak-kill-every}, and one broker restart halfway. Every {@code faults.soak-sample-every} it samples
 * each service's heap after a full GC, the student's de-duplication state, its checkpoint, its journal of trained
 * ids, the broker's log and both lags; at the end it stops the loader, lets the pipeline drain, stops the student
 * and audits by batch id: produced (the augmented topic), trained (the journal), lost, trained twice. Writes
 * {@code soak.md} in the run directory.
 */
final class Soak {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([smh])");
    private static final Duration DRAIN_LIMIT = Duration.ofMinutes(10);

    /** One sample. */
    record Sample(Duration at, long trained, long skipped, Map<String, Long> heaps, long dedupEntries,
                  long checkpointBytes, long journalBytes, long brokerBytes, long augmentedLag, long annotatedLag,
                  long divergences) {
    }

    private final Settings settings;
    private final Path dir;
    private final PrintStream out;
    private final Duration length;
    private final Duration killEvery;
    private final Duration sampleEvery;
    private final Probes probes = new Probes();
    private final List<Sample> samples = new ArrayList<>();

    Soak(Settings settings, Path dir, PrintStream out) {
        this.settings = settings;
        this.dir = dir;
        this.out = out;
        this.length = duration(settings, Keys.FAULTS_SOAK);
        this.killEvery = duration(settings, Keys.FAULTS_SOAK_KILL_EVERY);
        this.sampleEvery = duration(settings, Keys.FAULTS_SOAK_SAMPLE_EVERY);
    }

    /** A setting such as {@code 90s}, {@code 60m} or {@code 2h}. */
    static Duration duration(Settings s, Key key) {
        String v = s.raw(key).orElseGet(() -> s.string(key)).trim();
        Matcher m = DURATION.matcher(v);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new ConfigException("setting " + key.name() + "=" + v + " is not a duration: give a whole number "
                    + "above 0 and s, m or h (90s, 60m, 2h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** Runs the soak; 0 when nothing was lost or trained twice. */
    int run() throws IOException, InterruptedException {
        Path sdir = Files.createDirectories(dir.resolve("soak"));
        Map<String, String> forever = Map.of("pipeline.epochs", "0");
        Map<String, String> teacherBound = Map.of("teacher.max-ahead-batches",
                Integer.toString(settings.integer(Keys.TEACHER_MAX_AHEAD_BATCHES)));
        long t0 = System.nanoTime();
        int replicas = 0;
        int kills = 0;
        boolean brokerRestarted = false;
        try (ProcessCluster c = new ProcessCluster(settings, sdir)) {
            c.startBroker();
            // a soak is about delivery and state, not learning: a loss spike of the tiny student at its constant
            // learning rate is counted (kds_student_divergences_total) rather than stopping the run
            c.start("student", "student", Map.of("pipeline.epochs", "0", "student.on-divergence", "warn"));
            List<String> teachers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                teachers.add("teacher-" + ++replicas);
                c.start("teacher", teachers.get(i), teacherBound);
            }
            probes.awaitMetrics(c.port("student"));
            c.start("augmenter", "augmenter", Map.of("augmenter.max-ahead-batches",
                    Integer.toString(settings.integer(Keys.AUGMENTER_MAX_AHEAD_BATCHES))));
            c.start("loader", "loader", forever);
            out.printf(Locale.ROOT, "faults: soak for %s: a teacher replica killed every %s, the broker restarted "
                    + "once halfway, samples every %s; logs in %s%n", text(length), text(killEvery), text(sampleEvery),
                    sdir);
            KafkaSettings kafka = KafkaSettings.local(c.bootstrap(), settings.integer(Keys.KAFKA_PARTITIONS));
            try (Admin admin = Admin.create(kafka.admin("soak"))) {
                LagProbe augmented = new LagProbe(admin, kafka.topic(Topic.AUGMENTED), List.of(kafka.group("teacher")));
                LagProbe annotated = new LagProbe(admin, kafka.topic(Topic.ANNOTATED), List.of(kafka.group("student")));
                long nextKill = killEvery.toNanos();
                long nextSample = 0;
                while (System.nanoTime() - t0 < length.toNanos()) {
                    long now = System.nanoTime() - t0;
                    if (!c.get("student").alive()) {
                        throw new IllegalStateException("the student exited (see " + sdir.resolve("student.log") + ")");
                    }
                    if (now >= nextSample) {
                        sample(c, sdir, now, augmented, annotated);
                        nextSample += sampleEvery.toNanos();
                    }
                    if (!brokerRestarted && now >= length.toNanos() / 2) {
                        out.printf(Locale.ROOT, "faults: soak %s: SIGKILL broker, restarting in 3 s%n", text(now));
                        c.get("broker").kill();
                        Thread.sleep(3000);
                        c.startBroker();
                        brokerRestarted = true;
                    }
                    if (now >= nextKill) {
                        String victim = teachers.remove(0);
                        c.get(victim).kill();
                        String fresh = "teacher-" + ++replicas;
                        c.start("teacher", fresh, teacherBound);
                        teachers.add(fresh);
                        kills++;
                        out.printf(Locale.ROOT, "faults: soak %s: SIGKILL %s, started %s%n", text(now), victim, fresh);
                        nextKill += killEvery.toNanos();
                    }
                    Thread.sleep(1000);
                }
                out.println("faults: soak: time is up; stopping the loader and draining");
                c.get("loader").stop();
                drain(c, augmented, annotated);
                sample(c, sdir, System.nanoTime() - t0, augmented, annotated);
            }
            c.get("student").stop();
            SoakAudit audit = SoakAudit.of(kafka, c.studentOut());
            String report = report(audit, kills, brokerRestarted, Duration.ofNanos(System.nanoTime() - t0));
            out.println();
            out.print(report);
            Files.writeString(dir.resolve("soak.md"), report);
            out.println("logs and audit in " + dir);
            return audit.lost() == 0 && audit.twice() == 0 && audit.trained() > 0 ? 0 : 1;
        }
    }

    /** Waits until the teacher and the student have committed everything before them and the student is idle. */
    private void drain(ProcessCluster c, LagProbe augmented, LagProbe annotated) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        long last = -1;
        int still = 0;
        while (still < 5) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the pipeline did not drain within " + DRAIN_LIMIT.toMinutes()
                        + " min");
            }
            Thread.sleep(2000);
            long trained = probes.studentBatches(c.port("student"));
            boolean empty = lag(augmented) == 0 && lag(annotated) == 0;
            still = empty && trained == last ? still + 1 : 0;
            last = trained;
        }
    }

    private void sample(ProcessCluster c, Path sdir, long at, LagProbe augmented, LagProbe annotated)
            throws InterruptedException {
        Map<String, Long> heaps = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : c.ports().entrySet()) {
            ChildProcess p = c.get(e.getKey());
            if (p != null && p.alive()) {
                fullGc(p);
                String role = e.getKey().replaceAll("-\\d+$", "");
                double used = probes.sum(e.getValue(), "jvm_memory_used_bytes", "area=\"heap\"");
                if (used > 0) { // not yet listening: no sample
                    heaps.merge(role, (long) used, Math::max);
                }
            }
        }
        int port = c.port("student");
        Sample s = new Sample(Duration.ofNanos(at), probes.studentBatches(port),
                (long) probes.scrape(port, prometheus(MetricNames.STUDENT_DUPLICATES) + "_total", ""), heaps,
                (long) probes.scrape(port, prometheus(MetricNames.STUDENT_DEDUP_ENTRIES), ""),
                checkpointBytes(c.studentOut()), size(c.studentOut().resolve("trained-batches.txt")),
                segmentBytes(sdir.resolve("broker-data")), safeLag(augmented), safeLag(annotated),
                (long) probes.scrape(port, prometheus(MetricNames.STUDENT_DIVERGENCES) + "_total", ""));
        samples.add(s);
        out.printf(Locale.ROOT, "faults: soak %s: trained %d, heap %s MiB, dedup entries %d, checkpoint %d B, "
                        + "lags %d/%d%n", text(at), s.trained(), mib(heaps), s.dedupEntries(), s.checkpointBytes(),
                s.augmentedLag(), s.annotatedLag());
    }

    /** Asks a JVM for a full GC ({@code jcmd PID GC.run}) so that its heap in use is what it holds on to. */
    private static void fullGc(ChildProcess p) throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return; // a runtime without jcmd: heaps are sampled as they are
        }
        try {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(p.process().pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(60, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
            }
        } catch (IOException e) {
            // sampled as it is
        }
    }

    private static long lag(LagProbe probe) {
        return probe.endTotal() - probe.slowestCommittedTotal();
    }

    private static long safeLag(LagProbe probe) {
        try {
            return lag(probe);
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    private static String prometheus(String meter) {
        return meter.replace('.', '_');
    }

    /** The newest checkpoint's state files (its bookkeeping, without the weights and optimizer moments). */
    private static long checkpointBytes(Path studentOut) {
        Path root = studentOut.resolve("checkpoints");
        try {
            long step = RunAudit.lastCheckpointStep(studentOut);
            if (step == 0) {
                return 0;
            }
            Path cp = root.resolve("step-" + step);
            return size(cp.resolve("state.properties")) + size(cp.resolve("windows.txt"));
        } catch (IOException e) {
            return -1;
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The broker's log segments (its index files are allocated at full size up front, so they are left out). */
    private static long segmentBytes(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".log")).mapToLong(Soak::size).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    private static String mib(Map<String, Long> heaps) {
        StringBuilder b = new StringBuilder();
        heaps.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%.0f", v / 1048576.0)));
        return b.toString();
    }

    private static String text(Duration d) {
        return Progress.clock(d.toSeconds());
    }

    private static String text(long nanos) {
        return Progress.clock(TimeUnit.NANOSECONDS.toSeconds(nanos));
    }

    String report(SoakAudit a, int kills, boolean brokerRestarted, Duration wall) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Soak of %s (%s with the drain): pipeline.epochs=0, %d teacher replica(s) "
                        + "SIGKILLed and replaced, broker restarted: %s. Bounds: augmented %d records ahead of the "
                        + "teacher group, annotated %d ahead of the student group (each replica may add what it lets "
                        + "through in one 100 ms probe interval).%n%n", text(length), text(wall), kills,
                brokerRestarted ? "once" : "no", settings.integer(Keys.AUGMENTER_MAX_AHEAD_BATCHES),
                settings.integer(Keys.TEACHER_MAX_AHEAD_BATCHES)));
        b.append("| time | batches trained | duplicates skipped | heap after full GC, MiB | student dedup entries "
                + "| checkpoint state, bytes | trained-id journal, bytes | broker log segments, MiB | lag augmented "
                + "| lag annotated | loss spikes |\n");
        b.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Sample s : samples) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %d | %d | %d | %.0f | %d | %d | %d |%n",
                    text(s.at()), s.trained(), s.skipped(), mib(s.heaps()), s.dedupEntries(), s.checkpointBytes(),
                    s.journalBytes(), s.brokerBytes() / 1048576.0, s.augmentedLag(), s.annotatedLag(),
                    s.divergences()));
        }
        b.append(String.format(Locale.ROOT, "%nAudit: %d batches produced, %d trained, %d lost, %d trained twice.%n",
                a.produced(), a.trained(), a.lost(), a.twice()));
        return b.toString();
    }

    /**
     * The audit of a run that never ends: produced = the batch ids on the augmented topic; trained = the student's
     * journal ({@code trained-batches.txt}: what its weights were trained on); lost = produced and not trained;
     * trained twice = journal lines beyond its distinct ids.
     */
    record SoakAudit(long produced, long trained, long lost, long twice) {
        static SoakAudit of(KafkaSettings kafka, Path studentOut) throws IOException {
            Set<String> produced = Demo.producedBatches(kafka);
            List<String> lines = Files.readAllLines(studentOut.resolve("trained-batches.txt"));
            Set<String> trained = new HashSet<>(lines);
            Set<String> lost = new HashSet<>(produced);
            lost.removeAll(trained);
            return new SoakAudit(produced.size(), trained.size(), lost.size(), lines.size() - trained.size());
        }
    }
}
