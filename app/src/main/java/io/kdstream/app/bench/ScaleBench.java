package io.kdstream.app.bench;

import io.kdstream.app.CommandLine;
import io.kdstream.app.DemoCommand;
import io.kdstream.augmenter.Augmenter;
import io.kdstream.augmenter.AugmenterConfig;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.Service;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Key;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.student.StudentConfig;
import io.kdstream.student.StudentTrainer;
import io.kdstream.teacher.StandInTeacher;
import io.kdstream.teacher.TeacherService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code kdstream bench scale}: annotation throughput against teacher replicas. For each replica count, one run on
 * one embedded broker: loader, augmenter, that many teacher services in one consumer group and one student. The
 * teachers are stand-ins ({@link StandInTeacher}) whose forward pass takes a fixed time per batch, as a GPU's does,
 * with almost no CPU, so this machine can host 8 of them. A run with one stand-in that takes no time gives the bound
 * the sources, the broker, the teacher service and the student set. Prints images/s, scaling
 * efficiency (rate / (replicas x one replica's rate)) and the student's share of time waiting for input, and writes
 * a PNG plot.
 */
public final class ScaleBench {
    public static final String HELP = """
            usage: kdstream bench scale [--bench.replicas=1,2,4,8] [--bench.teacher-latency-ms=200]
                                        [--bench.images-per-replica=3000] [--bench.plot=runs/bench-scale.png]
                                        [--pipeline.batch-size=64] [--dataset.*=...]

            Annotation throughput against teacher-service replicas feeding one student, on one embedded broker.
            The teachers are stand-ins that take bench.teacher-latency-ms per batch (what a GPU forward costs) and
            almost no CPU, so 8 replicas fit on a small machine. Each replica count runs
            bench.images-per-replica x replicas images (default data: the shipped Fashion-MNIST subset); a run
            with one teacher that takes no time measures the bound everything else sets. Prints images/s,
            scaling efficiency (rate / (replicas x the 1-replica rate)), the student's input-wait share, and writes
            a plot (bench.plot).
            """;

    /** The bench's own defaults (the dataset, default the shipped subset, and the partitions, default the largest
     * replica count, are set per run). */
    public static final Map<String, String> DEFAULTS = Map.of("pipeline.batch-size", "64", "augment.crop-scale-min", "0.35",
            "student.eval-every", "1000000", "student.resume", "false", "teacher.device", "cpu");

    /** The longest one replica count's run may take. */
    private static final java.time.Duration RUN_LIMIT = java.time.Duration.ofMinutes(30);

    private ScaleBench() {
    }

    private record Plan(List<Integer> replicas, double latencyMs, int imagesPerReplica, Path plot, Settings pipeline) {
    }

    /** One measured run: replicas (0 = no teachers), images/s, the student's input-wait share, mean batch size. */
    record Point(int replicas, double rate, double inputWait, double meanBatch) {
    }

    public static int run(List<String> args, Map<String, String> env) {
        CommandLine.Parsed<Plan> p = CommandLine.parse("bench scale", HELP, args, env, s -> {
            List<Integer> replicas = new ArrayList<>();
            for (String r : s.list(Keys.BENCH_REPLICAS)) {
                try {
                    replicas.add(Integer.parseInt(r.trim()));
                } catch (NumberFormatException e) {
                    throw new ConfigException("setting bench.replicas=" + r + " is not a number");
                }
            }
            replicas = replicas.stream().distinct().sorted().toList();
            ConfigException.require(!replicas.isEmpty() && replicas.get(0) >= 1 && replicas.get(replicas.size() - 1)
                    <= 64, "bench.replicas", replicas, "must be replica counts from 1 to 64");
            ConfigException.require(replicas.get(0) == 1, "bench.replicas", replicas, "must include 1 (the rate every "
                    + "efficiency is relative to)");
            double latency = s.real(Keys.BENCH_TEACHER_LATENCY_MS);
            ConfigException.require(latency > 0, "bench.teacher-latency-ms", latency, "must be > 0");
            int perReplica = s.integer(Keys.BENCH_IMAGES_PER_REPLICA);
            ConfigException.require(perReplica >= 100, "bench.images-per-replica", perReplica, "must be >= 100");
            Path plot = s.path(Keys.BENCH_PLOT).orElseThrow();
            for (Key own : List.of(Keys.KAFKA_BOOTSTRAP, Keys.KAFKA_TOPIC_PREFIX, Keys.PIPELINE_EPOCHS,
                    Keys.STUDENT_OUT, Keys.TEACHER_MODEL)) {
                if (s.has(own)) { // each run sets these itself: a value given here would not be used
                    throw new ConfigException("bench scale sets " + own + " itself for each run (its embedded broker, "
                            + "bench.images-per-replica, a temporary directory, the stand-in teacher); leave it out");
                }
            }
            Settings pipeline = s.withDefaults(Map.of(
                    "dataset.path", DemoCommand.testdata().resolve("fashion-mnist-mini").toString(),
                    "kafka.partitions", Integer.toString(Math.max(2, replicas.get(replicas.size() - 1)))))
                    .withDefaults(DEFAULTS);
            // every setting read and checked now (an unknown one is an error), not inside the first run
            Settings dry = runSettings(pipeline, "127.0.0.1:9092", 1, 1, Path.of("runs"), Path.of("stand-in"));
            Dataset train = DatasetSpec.from(dry).open(true);
            KafkaSettings kafka = KafkaSettings.from(dry);
            LoaderConfig.from(dry, List.of());
            AugmenterConfig.from(dry, List.of());
            StudentConfig.from(dry, train.size(), train.numClasses(), train.channels(), kafka.partitions());
            io.kdstream.teacher.TeacherConfig.from(dry);
            io.kdstream.core.image.BatchRenderer.threads(dry);
            s.markUsed(dry);
            return new Plan(replicas, latency, perReplica, plot, pipeline);
        });
        if (!p.run()) {
            return p.exit();
        }
        Plan plan = p.value();
        Scheduler ticker = Schedulers.newSingle("kds-progress", true);
        Path tmp = null;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            tmp = Files.createTempDirectory("kds-bench-scale");
            Path teacherDir = tmp.resolve("models").resolve("stand-in");
            Dataset train = DatasetSpec.from(plan.pipeline()).open(true);
            StandInTeacher.write(teacherDir, plan.latencyMs(), train.numClasses());
            Path freeDir = tmp.resolve("models").resolve("free");
            StandInTeacher.write(freeDir, 0, train.numClasses());
            int batch = plan.pipeline().integer(Keys.PIPELINE_BATCH_SIZE);
            List<Point> points = new ArrayList<>();
            int top = plan.replicas().get(plan.replicas().size() - 1);
            Point bound = measure(broker, plan, train, -top, top * plan.imagesPerReplica(), freeDir, tmp, ticker);
            System.err.printf(Locale.ROOT, "bench scale: %d teachers that take no time: %.0f images/s%n", top,
                    bound.rate());
            for (int n : plan.replicas()) {
                Point pt = measure(broker, plan, train, n, n * plan.imagesPerReplica(), teacherDir, tmp, ticker);
                points.add(pt);
                System.err.printf(Locale.ROOT, "bench scale: %d replica(s): %.0f images/s%n", n, pt.rate());
            }
            double one = points.get(0).rate();
            double meanBatch = points.get(0).meanBatch(); // batches close at each partition's epoch end
            double ideal = 1000.0 * meanBatch / plan.latencyMs();
            System.out.printf(Locale.ROOT, "%nbench scale: stand-in teachers at %.0f ms per batch (batches of up to %d, "
                    + "%.1f on average over %d partitions: %.0f images/s per replica at most), %s%n%n",
                    plan.latencyMs(), batch, meanBatch, plan.pipeline().integer(Keys.KAFKA_PARTITIONS), ideal,
                    train.name());
            System.out.printf(Locale.ROOT, "| teacher replicas | images/s | efficiency | student input wait |%n"
                    + "|---:|---:|---:|---:|%n");
            for (Point pt : points) {
                System.out.printf(Locale.ROOT, "| %d | %.0f | %.2f | %.0f%% |%n", pt.replicas(), pt.rate(),
                        pt.rate() / (pt.replicas() * one), 100 * pt.inputWait());
            }
            System.out.printf(Locale.ROOT, "| bound: %d replicas of a teacher that takes no time (loader, augmenter, "
                    + "broker, teacher services, student) | %.0f | | %.0f%% |%n", top, bound.rate(),
                    100 * bound.inputWait());
            int lastGood = 0;
            for (Point pt : points) {
                if (pt.rate() / (pt.replicas() * one) >= 0.9) {
                    lastGood = pt.replicas();
                }
            }
            System.out.printf(Locale.ROOT, "%nefficiency >= 0.9 up to %d replica(s); one replica ran at %.2f of its "
                    + "stand-in's bound. The bound with teachers that take no time is %.0f images/s (%.1f replicas' "
                    + "worth), set by %s%n", lastGood, one / ideal, bound.rate(), bound.rate() / one,
                    bound.inputWait() > 0.1 ? String.format(Locale.ROOT, "the loader, augmenter, broker and teacher "
                            + "services on these cores (the student waited for input %.0f%% of its time)",
                            100 * bound.inputWait()) : String.format(Locale.ROOT, "the student (it waited for input "
                            + "%.0f%% of its time)", 100 * bound.inputWait()));
            plot(plan.plot(), points, bound.rate(), one, plan.latencyMs(), batch);
            System.out.println("plot: " + plan.plot());
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("kdstream bench scale failed: " + e.getMessage());
            return 1;
        } finally {
            ticker.dispose();
            deleteQuietly(tmp);
        }
    }

    /**
     * One run with {@code replicas} teachers of {@code teacherDir}; a negative count -n runs n replicas of a stand-in
     * that takes no time (in its own topics), which measures the bound everything but the teachers' forward passes
     * sets.
     */
    private static Point measure(EmbeddedKafkaBroker broker, Plan plan, Dataset train, int replicas, long images,
                                 Path teacherDir, Path tmp, Scheduler ticker) {
        // one run: loader, augmenter, the replicas and the student, started downstream first
        int epochs = (int) Math.max(1, (images + train.size() - 1) / train.size());
        Settings s = runSettings(plan.pipeline(), broker.bootstrapServers(), replicas, epochs, tmp, teacherDir);
        KafkaSettings kafka = KafkaSettings.from(s);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Service> services = new ArrayList<>();
        int teachers = Math.abs(replicas);
        services.add(new Loader(LoaderConfig.from(s, List.of(kafka.group(Augmenter.STAGE))), kafka, registry));
        services.add(new Augmenter(AugmenterConfig.from(s, List.of(kafka.group(TeacherService.STAGE))), kafka,
                registry));
        for (int i = 0; i < teachers; i++) {
            services.add(TeacherService.fromSettings(s, new SimpleMeterRegistry()));
        }
        StudentTrainer student = new StudentTrainer(StudentConfig.from(s, train.size(), train.numClasses(),
                train.channels(), kafka.partitions()), kafka, registry);
        services.add(student);
        // the student's completion ends the run: a replica that owns some of the partitions never sees the run end
        // on all of them, so teachers do not complete on their own
        List<io.kdstream.core.Progress> progress = services.stream().map(Service::progress).toList();
        try (io.kdstream.core.cli.ProgressPrinter printer = io.kdstream.core.cli.ProgressPrinter.forConsole(ticker,
                progress)) {
            for (int i = services.size() - 1; i >= 2; i--) { // the student and the teachers
                services.get(i).start();
            }
            // every replica in the group before data flows: no rebalance inside the measurement
            awaitGroup(kafka, kafka.group(TeacherService.STAGE), teachers);
            services.get(1).start();
            services.get(0).start();
            printer.start();
            student.completion().block(RUN_LIMIT); // a stalled run fails the bench instead of hanging it
        } finally {
            services.forEach(Service::stop);
        }
        return new Point(replicas, student.trainingRate(), student.inputWaitShare(),
                (double) images(epochs, train) / Math.max(1, student.trainedBatches().size()));
    }

    /** The settings of one run: its own topics, epochs, student directory and the stand-in teacher. */
    private static Settings runSettings(Settings pipeline, String bootstrap, int replicas, int epochs, Path tmp,
                                        Path teacherDir) {
        Map<String, String> o = new HashMap<>();
        o.put("kafka.bootstrap", bootstrap);
        o.put("kafka.topic-prefix", "scale" + (replicas < 0 ? "free" + -replicas : replicas) + ".");
        o.put("pipeline.epochs", Integer.toString(epochs));
        o.put("student.out", tmp.resolve("student" + (replicas < 0 ? "free" + -replicas : replicas)).toString());
        o.put("teacher.model", teacherDir.toAbsolutePath().toString());
        return pipeline.overriding(o);
    }

    private static long images(int epochs, Dataset train) {
        return (long) epochs * train.size();
    }

    /** Waits until {@code group} is stable with {@code members} members. */
    private static void awaitGroup(KafkaSettings kafka, String group, int members) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                kafka.admin("bench-scale"))) {
            while (System.nanoTime() < deadline) {
                var d = admin.describeConsumerGroups(List.of(group)).all().get(10, java.util.concurrent.TimeUnit.SECONDS)
                        .get(group);
                if (d.members().size() == members && d.groupState() == org.apache.kafka.common.GroupState.STABLE) {
                    return;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the teacher replicas to join", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot describe consumer group " + group + ": " + e, e);
        }
        throw new IllegalStateException("the " + members + " teacher replicas did not form a stable group " + group
                + " within 90 s");
    }

    /** Images/s against replicas: measured, ideal (linear from one replica), and the bound. */
    static void plot(Path file, List<Point> points, double bound, double one, double latencyMs, int batch)
            throws IOException {
        int w = 800;
        int h = 520;
        int left = 80;
        int right = 110;
        int topMargin = 50;
        int bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int maxN = points.get(points.size() - 1).replicas();
        double maxY = Math.max(bound, maxN * one) * 1.1;
        for (Point p : points) {
            maxY = Math.max(maxY, p.rate() * 1.1);
        }
        int plotW = w - left - right;
        int plotH = h - topMargin - bottom;
        java.util.function.DoubleUnaryOperator x = n -> left + plotW * (n / maxN);
        final double yTop = maxY;
        java.util.function.DoubleUnaryOperator y = v -> topMargin + plotH * (1 - v / yTop);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawLine(left, topMargin + plotH, left + plotW, topMargin + plotH);
        g.drawLine(left, topMargin, left, topMargin + plotH);
        for (Point p : points) {
            int px = (int) x.applyAsDouble(p.replicas());
            g.drawLine(px, topMargin + plotH, px, topMargin + plotH + 5);
            g.drawString(Integer.toString(p.replicas()), px - 4, topMargin + plotH + 20);
        }
        for (int i = 0; i <= 5; i++) {
            double v = maxY * i / 5;
            int py = (int) y.applyAsDouble(v);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, py, left + plotW, py);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f", v), 10, py + 5);
        }
        g.drawString("teacher replicas", left + plotW / 2 - 50, h - 15);
        g.drawString("images/s", 10, topMargin - 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(String.format(Locale.ROOT, "kdstream bench scale: stand-in teachers, %.0f ms per batch of up to %d",
                latencyMs, batch), left, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        // ideal: linear in replicas from the one-replica rate
        g.setColor(new Color(120, 120, 120));
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 6}, 0));
        g.drawLine((int) x.applyAsDouble(0), (int) y.applyAsDouble(0), (int) x.applyAsDouble(maxN),
                (int) y.applyAsDouble(maxN * one));
        g.drawString("ideal (replicas x 1-replica rate)", left + 10, topMargin + 15);
        // the bound a teacher that takes no time sets
        g.setColor(new Color(200, 60, 60));
        int by = (int) y.applyAsDouble(bound);
        g.drawLine(left, by, left + plotW, by);
        g.drawString(String.format(Locale.ROOT, "bound (teachers that take no time): %.0f images/s", bound), left + 10, by - 6);
        // measured
        g.setColor(new Color(30, 90, 200));
        g.setStroke(new BasicStroke(2.5f));
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            int px = (int) x.applyAsDouble(p.replicas());
            int py = (int) y.applyAsDouble(p.rate());
            g.fillOval(px - 5, py - 5, 10, 10);
            g.drawString(String.format(Locale.ROOT, "%.0f (%.2f)", p.rate(), p.rate() / (p.replicas() * one)), px + 8,
                    py + 16);
            if (i > 0) {
                Point q = points.get(i - 1);
                g.drawLine((int) x.applyAsDouble(q.replicas()), (int) y.applyAsDouble(q.rate()), px, py);
            }
        }
        g.drawString("measured (efficiency)", left + 10, topMargin + 32);
        g.dispose();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
