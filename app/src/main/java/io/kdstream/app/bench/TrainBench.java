package io.kdstream.app.bench;

import io.kdstream.app.Demo;
import io.kdstream.app.LocalRun;
import io.kdstream.app.TopicReader;
import io.kdstream.augmenter.Augmenter;
import io.kdstream.augmenter.AugmenterConfig;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.Progress;
import io.kdstream.core.RateWindow;
import io.kdstream.core.Service;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.kafka.TopicAdmin;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetException;
import io.kdstream.models.Models;
import io.kdstream.models.Network;
import io.kdstream.student.StudentConfig;
import io.kdstream.student.StudentTrainer;
import io.kdstream.student.train.StudentLoop;
import io.kdstream.teacher.TeacherConfig;
import io.kdstream.teacher.TeacherService;
import io.kdstream.tuning.DataPathPriority;
import io.kdstream.tuning.DjlThreads;
import io.kdstream.tuning.EngineSpin;
import io.kdstream.tuning.EngineThreads;
import io.kdstream.tuning.ThreadCpu;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code kdstream bench train}: side by side in one run, on the same batches, (a) the student's images/s fed
 * through Kafka vs fed from memory, and (b) the teacher service's annotate rate vs the raw forward rate of the same
 * model at the same batch size. Rates are steady-state: from the end of the first batch to the end of the last,
 * after warm-up passes ({@code bench.warm-ups}), so neither side pays the engine's or the JIT's warm-up; each
 * repetition also reports where the process's cores went during each pass ({@link ThreadCpu}).
 */
public final class TrainBench {
    /** The free memory {@code /dev/shm} needs for the broker's log (the default bench writes about 750 MB). */
    static final long SHM_NEEDED = 4L << 30;
    public static final Map<String, String> DEFAULTS = Map.of("dataset.limit", "25600", "dataset.test-limit", "500",
            "bench.repeats", "5", "bench.warm-ups", "3",
            "pipeline.epochs", "1", "student.resume", "false");

    private TrainBench() {
    }

    public static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(args, env, positional).withDefaults(DEFAULTS).withDefaults(Demo.DEFAULTS);
        Path out;
        KafkaSettings kafka;
        LoaderConfig loaderConfig;
        AugmenterConfig augConfig;
        TeacherConfig teacherConfig;
        List<StudentConfig> studentConfigs = new ArrayList<>(); // one per warm-up, then one per repetition
        int repeats;
        int warmUps;
        Path brokerParent;
        try {
            out = Files.createTempDirectory("kdstream-bench-");
            kafka = KafkaSettings.from(s);
            Dataset train = io.kdstream.loader.dataset.DatasetSpec.from(s).open(true);
            loaderConfig = LoaderConfig.from(s, List.of(kafka.group(Augmenter.STAGE)));
            augConfig = AugmenterConfig.from(s, List.of());
            teacherConfig = TeacherConfig.from(s);
            repeats = s.integer(Keys.BENCH_REPEATS);
            warmUps = s.integer(Keys.BENCH_WARM_UPS);
            brokerParent = brokerParent(s.string(Keys.BENCH_BROKER_DIR));
            ConfigException.require(repeats >= 1, "bench.repeats", repeats, "must be >= 1");
            ConfigException.require(warmUps >= 1, "bench.warm-ups", warmUps, "must be >= 1");
            for (int i = 0; i < warmUps + repeats; i++) {
                Settings st = s.overriding(Map.of("student.out", out.resolve("student-" + i).toString()));
                studentConfigs.add(StudentConfig.from(st, train.size(), train.numClasses(), train.channels(),
                        kafka.partitions()));
                s.markUsed(st);
            }
            s.requireAllUsed();
        } catch (ConfigException | DatasetException | java.io.IOException e) {
            System.err.println("kdstream bench train: " + e.getMessage());
            return 2;
        }
        StudentConfig studentConfig = studentConfigs.get(0);
        Scheduler ticker = Schedulers.newSingle("kds-progress", true);
        Network teacherNet = null;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests()
                .withTempParent(brokerParent))) {
            KafkaSettings k = kafka.withBootstrap(broker.bootstrapServers());
            LocalRun.run(List.of(new Loader(loaderConfig, k, new SimpleMeterRegistry()),
                    new Augmenter(augConfig, k, new SimpleMeterRegistry())), ticker);
            List<AugmentedBatch> augmented = readBatches(k, Topic.AUGMENTED, AugmentedBatch::decode);
            long images = augmented.stream().mapToLong(AugmentedBatch::size).sum();
            System.err.printf(Locale.ROOT, "bench train: %d batches, %d images; teacher %s; student %s; %d "
                    + "repetition(s) after %d warm-up(s); broker log in %s%n", augmented.size(), images,
                    teacherConfig.model(), studentConfig.spec().describe(), repeats, warmUps, broker.dataDir());
            Network t = onOwnThread(() -> Network.load(teacherConfig.model(), Models.device(teacherConfig.device())));
            teacherNet = t;

            // Every side gets a warm-up pass first, and the services bench.warm-ups - 1 more, so that the JIT has
            // compiled the client, broker and codec paths as well as the loops: code that runs once per batch meets
            // HotSpot's thresholds only after several 200-batch passes, and until then the compilers took 0.03-0.16
            // of the 2 cores during the measured service passes but 0.00-0.02 during the loops (ThreadCpu rows).
            // Each Kafka pass runs in a topic namespace of its own, holding a copy of the same augmented batches.
            // The raw and in-memory loops run on DJL threads that end before the services start (onOwnThread).
            // per repetition: raw, service, memory, Kafka, and the services' shares of time waiting for input
            List<double[]> rates = new ArrayList<>();
            List<ThreadCpu.Cores[]> usage = new ArrayList<>(); // per repetition: raw, service, memory, Kafka
            List<AnnotatedBatch> annotated = null;
            for (int i = 0; i < warmUps + repeats; i++) {
                boolean measured = i >= warmUps;
                boolean loops = measured || i == 0; // the loops warm up at once; only the services need more
                KafkaSettings ns = k.withTopicPrefix((measured ? "rep" + (i - warmUps + 1) : "warm-up" + (i + 1))
                        + "." + k.topicPrefix());
                copyTopic(k, ns, Topic.AUGMENTED);
                ThreadCpu.Cores[] cores = new ThreadCpu.Cores[4]; // raw, service, memory, Kafka
                double raw = !loops ? Double.NaN : onOwnThread(() -> {
                    ThreadCpu.Snapshot c0 = null;
                    RateWindow w = new RateWindow();
                    for (AugmentedBatch b : augmented) {
                        t.logits(b.view());
                        w.record(b.size());
                        c0 = c0 == null ? ThreadCpu.now() : c0; // the rate's window: from the end of the first batch
                    }
                    cores[0] = ThreadCpu.between(c0, ThreadCpu.now());
                    return w.rate();
                });
                TeacherService teacher = new TeacherService(teacherConfig, ns, new SimpleMeterRegistry());
                cores[1] = runMeasured(teacher, ticker);
                if (annotated == null) {
                    annotated = readBatches(ns, Topic.ANNOTATED, AnnotatedBatch::decode);
                }
                List<AnnotatedBatch> batches = annotated;
                double memory = !loops ? Double.NaN : onOwnThread(() -> {
                    try (StudentLoop loop = new StudentLoop(studentConfig.spec(), studentConfig.options(),
                            Models.devices(studentConfig.device()))) { // a fresh student, as the trainer builds
                        ThreadCpu.Snapshot c0 = null;
                        RateWindow w = new RateWindow();
                        for (AnnotatedBatch a : batches) {
                            loop.step(a.batch().trainingView(), a.batch().targets(), a.teacherLogits());
                            w.record(a.batch().size());
                            c0 = c0 == null ? ThreadCpu.now() : c0;
                        }
                        cores[2] = ThreadCpu.between(c0, ThreadCpu.now());
                        return w.rate();
                    }
                });
                StudentTrainer student = new StudentTrainer(studentConfigs.get(i), ns, new SimpleMeterRegistry());
                cores[3] = runMeasured(student, ticker);
                if (measured) {
                    rates.add(new double[] {raw, teacher.annotateRate(), memory, student.trainingRate(),
                        teacher.inputWaitShare(), student.inputWaitShare()});
                    usage.add(cores);
                }
            }
            printTable(rates, usage, images, augConfig.batchSize());
            return 0;
        } catch (RuntimeException e) {
            System.err.println("kdstream bench train failed: " + e.getMessage());
            e.printStackTrace(System.err);
            return 1;
        } finally {
            Network t = teacherNet;
            if (t != null) {
                onOwnThread(() -> {
                    t.close();
                    return null;
                });
            }
            ticker.dispose();
        }
    }

    /**
     * Runs {@code work} on a DJL thread of its own and waits until that thread has ended. PyTorch's OpenMP runtime
     * (libgomp) keeps a pool of worker threads for every thread that ran a parallel op, until that thread ends, and
     * when it manages more threads than the process has CPUs its workers spin 100 times instead of 300,000 before
     * sleeping at a barrier, so every op then pays a futex wake-up. A bench thread kept for the whole run would leave
     * a second pool beside each service's and slow the services' passes only (measured: the student trainer's
     * PyTorch threads used 1.52-1.62 cores beside it and 1.79 without). With this, every pass runs with exactly one pool,
     * as a service in a process of its own does.
     */
    static <T> T onOwnThread(java.util.concurrent.Callable<T> work) {
        Scheduler s = DjlThreads.newScheduler("bench");
        try {
            return Mono.fromCallable(work).subscribeOn(s).block();
        } finally {
            s.disposeGracefully().block(Duration.ofSeconds(30));
        }
    }

    /**
     * Runs one service to completion ({@link LocalRun}) and returns where the process's cores went from its first
     * counted item to its completion: the window of its rate (start-up, model loading and the group join stay out of
     * both). A thread of its own polls the progress every 2 ms for the first item and ends there.
     */
    private static ThreadCpu.Cores runMeasured(Service service, Scheduler ticker) {
        Progress progress = service.progress();
        CompletableFuture<ThreadCpu.Snapshot> first = new CompletableFuture<>();
        Thread poller = new Thread(() -> {
            while (progress.done() == 0 && !first.isDone()) {
                LockSupport.parkNanos(2_000_000);
            }
            first.complete(ThreadCpu.now());
        }, "kds-bench-cpu");
        poller.setDaemon(true);
        poller.start();
        ThreadCpu.Cores[] cores = new ThreadCpu.Cores[1];
        try {
            LocalRun.run(List.of(service), ticker, () -> {
                first.complete(ThreadCpu.now()); // completed without an item: an empty window
                cores[0] = ThreadCpu.between(first.join(), ThreadCpu.now());
            });
        } finally {
            first.cancel(false); // a failed run: the poller ends
        }
        return cores[0];
    }

    /**
     * Where the bench's broker keeps its log: {@code auto} = {@code /dev/shm} where it is a writable directory with at
     * least {@link #SHM_NEEDED} free (memory; a container's default 64 MiB is too small), else the system's temporary
     * directory. The broker shares this machine with the services it measures, so on a disk its page-cache writeback
     * (kernel threads, at normal priority) lands on the measured passes; a real cluster's brokers write on their own
     * hosts. {@code --bench.broker-dir=DIR} measures with the log on DIR.
     */
    static Path brokerParent(String setting) {
        if (!setting.equals("auto")) {
            Path dir = Path.of(setting);
            ConfigException.require(Files.isDirectory(dir) && Files.isWritable(dir), "bench.broker-dir", setting,
                    "must be auto or an existing writable directory");
            return dir;
        }
        Path shm = Path.of("/dev/shm");
        try {
            return Files.isDirectory(shm) && Files.isWritable(shm)
                    && Files.getFileStore(shm).getUsableSpace() >= SHM_NEEDED ? shm : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static void printTable(List<double[]> rates, List<ThreadCpu.Cores[]> usage, long images, int batch) {
        StringBuilder head = new StringBuilder("| measurement (" + images + " images, batch " + batch + ", "
                + EngineThreads.inUse() + " PyTorch threads on " + Runtime.getRuntime()
                .availableProcessors() + " cores, " + EngineSpin.describe() + "), images/s |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int i = 1; i <= rates.size(); i++) {
            head.append(" rep ").append(i).append(" |");
            rule.append("---:|");
        }
        head.append(" median |");
        rule.append("---:|");
        System.out.printf(Locale.ROOT, "%n%s%n%s%n", head, rule);
        String[] names = {"teacher raw forward (same model, same batches)",
            "teacher service (consume, verify, forward, encode, publish, ack)",
            "student from memory (same annotated batches, same loop)",
            "student through Kafka (the student trainer on the annotated topic)"};
        for (int m = 0; m < 4; m++) {
            int col = m;
            row(names[m], rates.stream().mapToDouble(r -> r[col]).toArray(), "%.0f");
            if (m % 2 == 1) {
                row(m == 1 ? "**ratio teacher service / raw forward**" : "**ratio student Kafka / memory**",
                        rates.stream().mapToDouble(r -> r[col] / r[col - 1]).toArray(), "%.3f");
            }
        }
        // where a service's missing time went: waiting for records (data path) or slower passes (shared CPU)
        row("teacher service: share of its time waiting for input", rates.stream().mapToDouble(r -> r[4]).toArray(),
                "%.3f");
        row("student trainer: share of its time waiting for input", rates.stream().mapToDouble(r -> r[5]).toArray(),
                "%.3f");
        // where the cores went in each pass: the gap to the raw loop is the compute the others took
        String[] passes = {"teacher raw forward", "teacher service", "student from memory", "student through Kafka"};
        for (int p = 0; p < 4; p++) {
            int pass = p;
            coresRow(passes[p] + ": cores used by PyTorch / JIT compilers / the rest",
                    usage.stream().map(u -> u[pass]).toList());
        }
        double[] teacher = rates.stream().mapToDouble(r -> r[1] / r[0]).toArray();
        double[] student = rates.stream().mapToDouble(r -> r[3] / r[2]).toArray();
        System.out.printf(Locale.ROOT, "%nratio student Kafka / memory = %.3f (median of %d)%n"
                + "ratio teacher service / raw = %.3f (median of %d)%n"
                + "threads at the end: %s (--%s)%n", median(student), student.length,
                median(teacher), teacher.length, DataPathPriority.census(), DataPathPriority.KEY);
    }

    /** A row of "PyTorch / JIT / rest" cores per repetition, with the median of each. */
    private static void coresRow(String name, List<ThreadCpu.Cores> cores) {
        double[] compute = cores.stream().mapToDouble(ThreadCpu.Cores::compute).toArray();
        double[] jit = cores.stream().mapToDouble(ThreadCpu.Cores::jit).toArray();
        double[] rest = cores.stream().mapToDouble(ThreadCpu.Cores::rest).toArray();
        StringBuilder b = new StringBuilder("| ").append(name).append(" |");
        for (int i = 0; i <= cores.size(); i++) {
            boolean median = i == cores.size();
            b.append(String.format(Locale.ROOT, " %.2f / %.2f / %.2f |", median ? median(compute) : compute[i],
                    median ? median(jit) : jit[i], median ? median(rest) : rest[i]));
        }
        System.out.println(b);
    }

    private static void row(String name, double[] values, String format) {
        StringBuilder b = new StringBuilder("| ").append(name).append(" |");
        for (double v : values) {
            b.append(' ').append(String.format(Locale.ROOT, format, v)).append(" |");
        }
        b.append(' ').append(String.format(Locale.ROOT, format, median(values))).append(" |");
        System.out.println(b);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Copies every record of {@code topic} (markers included) into the same partition of the other namespace. */
    private static void copyTopic(KafkaSettings from, KafkaSettings to, Topic topic) {
        try (Admin admin = Admin.create(to.admin("bench"));
             KafkaProducer<String, byte[]> p = new KafkaProducer<>(to.producer("bench"), new StringSerializer(),
                     new ByteArraySerializer())) {
            TopicAdmin.ensureTopics(admin, to, topic);
            TopicReader.forEachRecord(from, topic, r -> p.send(new ProducerRecord<>(to.topic(topic), r.partition(),
                    r.key(), r.value(), r.headers())));
            p.flush();
        }
    }

    private static <T> List<T> readBatches(KafkaSettings kafka, Topic topic, Function<byte[], T> decode) {
        List<T> out = new ArrayList<>();
        TopicReader.forEachBatch(kafka, topic, r -> out.add(decode.apply(r.value())));
        return out;
    }
}
