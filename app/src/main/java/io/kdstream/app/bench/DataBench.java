package io.kdstream.app.bench;

import io.kdstream.app.CommandLine;
import io.kdstream.app.LocalRun;
import io.kdstream.app.StreamCommand;
import io.kdstream.augmenter.Augmenter;
import io.kdstream.augmenter.AugmenterConfig;
import io.kdstream.augmenter.ops.BatchAugmenter;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.Service;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.image.BatchRenderer;
import io.kdstream.core.kafka.KafkaSender;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.EncodedSample;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.SampleRef;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code kdstream bench data}: in one run on one embedded broker, the images/s of loader -> augmenter on the
 * dataset, next to the broker's own produce-to-consume rate for records of the same two sizes (one SAMPLE, one
 * AUGMENTED_BATCH), a raw relay over both hops at once with plain clients (what the pipeline would cost without
 * decoding, augmenting and encoding), and the ratio of the pipeline to that relay. On an image folder it also runs
 * the usual PyTorch input pipeline on the same data and cores ({@code bench/reference/torchvision_folder.py}:
 * ImageFolder + RandomResizedCrop + flip + ToTensor, one DataLoader worker per core), interleaved with kdstream's
 * runs ({@code bench.repeats}), and prints both rates and their ratio with its range over the repetitions.
 */
public final class DataBench {
    private DataBench() {
    }

    public static final String HELP = """
            usage: kdstream bench data [--dataset.*=...] [--loader.ship=decoded|encoded|reference]
                                       [--pipeline.batch-size=128] [--view.teacher-size=28]
                                       [--augment.view-encoding=float32|float16|uint8] [--bench.repeats=3]
                                       [--bench.warm-ups=1] [--bench.reference=auto|on|off] [--bench.python=PATH]
                                       [--render.threads=CORES]

            On one embedded broker: the broker's raw rates for records of the pipeline's sizes, then (after
            bench.warm-ups passes that are not counted) bench.repeats passes of kdstream's loader -> augmenter
            through Kafka, interleaved on image folders with the usual PyTorch input pipeline on the same data and
            cores (bench/reference/torchvision_folder.py: ImageFolder + RandomResizedCrop + flip + ToTensor, one
            DataLoader worker per core). With loader.ship=reference each pass also renders the views from the
            files, as the teacher does. Prints images/s with their ranges, the ratio to the reference, the bytes
            through the broker per trained image and the CPU per image.

            example (224 px, docs/PERFORMANCE.md):
              ./kdstream bench images --bench.out=runs/images224
              ./kdstream bench data --dataset.kind=folder --dataset.path=runs/images224 --dataset.channels=3 \\
                  --view.teacher-size=224 --augment.view-encoding=uint8 --pipeline.batch-size=64 \\
                  --loader.ship=reference
            """;

    /** What one bench run measures, from its settings. */
    private record Config(KafkaSettings kafka, LoaderConfig loaderConfig, AugmenterConfig augConfig, String reference,
                          String python, int repeats, int warmUps, int renderThreads) {
    }

    public static int run(List<String> args, Map<String, String> env) {
        CommandLine.Parsed<Config> parsed = CommandLine.parse("bench data", HELP, args, env, given -> {
            Settings s = given.withDefaults(StreamCommand.DEFAULTS);
            KafkaSettings k = KafkaSettings.from(s);
            String ref = s.string(Keys.BENCH_REFERENCE);
            int reps = s.integer(Keys.BENCH_REPEATS);
            int warm = s.integer(Keys.BENCH_WARM_UPS);
            ConfigException.require(warm >= 0, "bench.warm-ups", warm, "must be >= 0");
            ConfigException.require(reps >= 1, "bench.repeats", reps, "must be >= 1");
            ConfigException.require(List.of("auto", "off", "on").contains(ref), "bench.reference", ref,
                    "must be auto (the torchvision reference on image folders when python3 has torchvision), on or off");
            Config c = new Config(k, LoaderConfig.from(s, List.of(k.group(Augmenter.STAGE))),
                    AugmenterConfig.from(s, List.of()), ref, s.string(Keys.BENCH_PYTHON, ReferenceBench.defaultPython()),
                    reps, warm, BatchRenderer.threads(s));
            given.markUsed(s);
            return c;
        });
        if (!parsed.run()) {
            return parsed.exit();
        }
        KafkaSettings kafka = parsed.value().kafka();
        LoaderConfig loaderConfig = parsed.value().loaderConfig();
        AugmenterConfig augConfig = parsed.value().augConfig();
        String reference = parsed.value().reference();
        String python = parsed.value().python();
        int repeats = parsed.value().repeats();
        int warmUps = parsed.value().warmUps();
        int renderThreads = parsed.value().renderThreads();
        Dataset data;
        try {
            data = loaderConfig.dataset().open(true);
        } catch (DatasetException e) {
            System.err.println("kdstream bench data: " + e.getMessage());
            return 2;
        }
        long images = (long) data.size() * loaderConfig.epochs();
        String ship = loaderConfig.ship().name().toLowerCase(Locale.ROOT);
        byte[] sampleRecord; // the first image's SAMPLE exactly as the loader publishes it
        Sample probe = null;
        SampleRef probeRef = null;
        boolean records = loaderConfig.ship() == LoaderConfig.Ship.REFERENCE;
        Frame f = null;
        try {
            sampleRecord = Loader.sampleRecord(loaderConfig, data, 0, 0, 0, 0, 0);
            f = FrameCodec.decode(sampleRecord);
            if (records) {
                probeRef = SampleRef.fromFrame(f);
            } else {
                probe = EncodedSample.isEncoded(f) ? EncodedSample.fromFrame(f).decode() : Sample.fromFrame(f);
            }
        } catch (Exception e) {
            System.err.println("kdstream bench data: cannot read the first image"
                    + (f == null ? "" : " (" + f.stringProperty("source", "") + ")") + ": " + e.getMessage());
            return 1;
        }
        int sampleBytes = sampleRecord.length;
        int batch = augConfig.batchSize();
        BatchAugmenter probeAugmenter = new BatchAugmenter(augConfig.crop(), augConfig.flip(), augConfig.teacherSize(),
                augConfig.studentSize(), augConfig.mix(), 1, augConfig.teacherView(), augConfig.viewEncoding());
        AugmentedBatch probeBatch = records ? probeAugmenter.plan(Collections.nCopies(batch, probeRef), 0, 0, 0, 0)
                : probeAugmenter.augment(Collections.nCopies(batch, probe), 0, 0, 0);
        int batchBytes = probeBatch.encode().length;
        // what the teacher republishes: the batch as it travelled, its logits (float32) and, for view records, the
        // checksum of the view it rendered
        int annotatedBytes = new AnnotatedBatch(records ? probeBatch.withViews(null, null,
                probeBatch.recipe().withTeacherViewCrc(0)) : probeBatch, new float[batch * data.numClasses()], false,
                "teacher", "1").encode().length;
        double perImage = sampleBytes + (double) (batchBytes + annotatedBytes) / batch;
        System.err.printf(Locale.ROOT, "bench data: %s, %d images, batch %d, %d partition(s); SAMPLE %d B, "
                        + "AUGMENTED_BATCH %d B%n", data.name(), images, batch, kafka.partitions(), sampleBytes,
                batchBytes);
        if (batchBytes > kafka.maxRecordBytes()) {
            System.err.printf(Locale.ROOT, "kdstream bench data: an AUGMENTED_BATCH of %d images encodes to %d bytes, "
                            + "more than kafka.max-record-bytes=%d; lower pipeline.batch-size (to %d or less), raise "
                            + "kafka.max-record-bytes, or use augment.view-encoding=uint8%n", batch, batchBytes,
                    kafka.maxRecordBytes(), Math.max(1, (int) ((long) batch * kafka.maxRecordBytes() / batchBytes)));
            return 2;
        }
        ReferenceBench ref = ReferenceBench.choose(reference, python, loaderConfig.dataset(), augConfig.teacherSize(), batch);
        if (ref.problem() != null) {
            System.err.println("kdstream bench data: " + ref.problem());
            return 2;
        }
        Scheduler ticker = Schedulers.newSingle("kds-progress", true);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            KafkaSettings local = kafka.withBootstrap(broker.bootstrapServers());
            double rawSamples = rawRate(local, "bench.raw-samples", sampleBytes, images, 1);
            double rawBatches = rawRate(local, "bench.raw-batches", batchBytes, (images + batch - 1) / batch, batch);
            double relay = relayRate(local, sampleBytes, batchBytes, images, batch);
            double[] pipelines = new double[repeats];
            double[] cpuMs = new double[repeats];
            List<String> stageNames = records ? List.of("loader", "augmenter", "render") : List.of("loader", "augmenter");
            List<Map<String, Double>> stageMs = new ArrayList<>();
            double[] references = new double[repeats];
            for (int w = 0; w < warmUps; w++) { // the JIT compiles the data path here, as the reference warms up
                long t0 = System.nanoTime();
                LocalRun.run(stages(loaderConfig, augConfig, local.withTopicPrefix(local.topicPrefix() + "warm" + w
                        + "."), images, records, renderThreads), ticker);
                System.err.printf(Locale.ROOT, "bench data: warm-up pass %d of %d: kdstream %.0f images/s (not "
                        + "counted)%n", w + 1, warmUps, images / ((System.nanoTime() - t0) / 1e9));
            }
            for (int rep = 0; rep < repeats; rep++) { // interleaved, so both sides see the same hour of the machine
                KafkaSettings run = local.withTopicPrefix(local.topicPrefix() + "rep" + rep + ".");
                Map<String, Double> perStage;
                try (StageCpu cpu = new StageCpu(stageNames)) {
                    long t0 = System.nanoTime();
                    LocalRun.run(stages(loaderConfig, augConfig, run, images, records, renderThreads), ticker);
                    pipelines[rep] = images / ((System.nanoTime() - t0) / 1e9);
                    perStage = cpu.msPerImage(images);
                }
                stageMs.add(perStage);
                cpuMs[rep] = perStage.values().stream().mapToDouble(Double::doubleValue).sum();
                if (ref.enabled()) {
                    references[rep] = ref.run(loaderConfig.epochs());
                }
                System.err.printf(Locale.ROOT, "bench data: repetition %d of %d: kdstream %.0f images/s%s%n", rep + 1,
                        repeats, pipelines[rep], ref.enabled() ? String.format(Locale.ROOT,
                                ", reference %.0f images/s", references[rep]) : "");
            }
            double pipeline = TrainBench.median(pipelines);
            double bound = relay;
            System.out.printf(Locale.ROOT, "%n| measurement | images/s |%n|---|---:|%n");
            System.out.printf(Locale.ROOT, "| broker raw, %d-byte SAMPLE-size records, produce -> consume | %.0f |%n",
                    sampleBytes, rawSamples);
            System.out.printf(Locale.ROOT, "| broker raw, %d-byte batch-size records (x%d images), produce -> consume "
                    + "| %.0f |%n", batchBytes, batch, rawBatches);
            System.out.printf(Locale.ROOT, "| broker raw relay over both hops at once (plain clients: SAMPLE-size in, "
                    + "batch-size out every %d) | %.0f |%n", batch, relay);
            System.out.printf(Locale.ROOT, "| kdstream loader -> augmenter on %s through Kafka, loader.ship=%s (%s; "
                    + "median of %d, range %.0f-%.0f) | %.0f |%n", data.name(), ship, records
                    ? "name the file, publish, draw crops and mixing, publish view records, decode and render the "
                    + "teacher's view as the teacher does" : "decode, publish, crop, mix, publish the views",
                    repeats, min(pipelines), max(pipelines), pipeline);
            if (ref.enabled()) {
                System.out.printf(Locale.ROOT, "| reference: %s (median of %d, range %.0f-%.0f) | %.0f |%n",
                        ref.describe(), repeats, min(references), max(references), TrainBench.median(references));
            }
            System.out.printf(Locale.ROOT, "%nratio pipeline / raw relay = %.3f%n", pipeline / bound);
            System.out.printf(Locale.ROOT, "bytes through the broker per trained image, loader.ship=%s: %.0f (SAMPLE "
                    + "%d + AUGMENTED_BATCH %d / %d + ANNOTATED_BATCH %d / %d)%n", ship, perImage, sampleBytes,
                    batchBytes, batch, annotatedBytes, batch);
            System.out.printf(Locale.ROOT, "kdstream CPU per image (this process: broker, loader, augmenter%s): %.2f ms "
                    + "(median of %d, range %.2f-%.2f)%n", records ? ", rendering" : "", TrainBench.median(cpuMs),
                    repeats, min(cpuMs), max(cpuMs));
            System.out.printf(Locale.ROOT, "%n| stage (threads by name) | CPU ms per image, median of %d (range) |%n"
                    + "|---|---:|%n", repeats);
            for (String stage : stageMs.get(0).keySet()) {
                double[] v = stageMs.stream().mapToDouble(m -> m.get(stage)).toArray();
                System.out.printf(Locale.ROOT, "| %s | %.2f (%.2f-%.2f) |%n", stage.equals("render")
                        ? "render (the teacher's decoding and rendering)" : stage, TrainBench.median(v), min(v), max(v));
            }
            if (ref.enabled()) {
                double[] ratios = new double[repeats];
                for (int i = 0; i < repeats; i++) {
                    ratios[i] = pipelines[i] / references[i];
                }
                System.out.printf(Locale.ROOT, "ratio kdstream / reference = %.3f (median of %d repetitions, range "
                        + "%.3f-%.3f)%n", TrainBench.median(ratios), repeats, min(ratios), max(ratios));
            }
            return 0;
        } catch (RuntimeException e) {
            System.err.println("kdstream bench data failed: " + e.getMessage());
            return 1;
        } finally {
            ticker.dispose();
        }
    }

    /**
     * Plain clients over the pipeline's two hops at once: a producer writes {@code images} records of
     * {@code sampleBytes}, a relay consumes them and writes one {@code batchBytes} record per {@code batch}, a reader
     * consumes those. Images per second from the first send to the last batch read.
     */
    private static double relayRate(KafkaSettings kafka, int sampleBytes, int batchBytes, long images, int batch) {
        String in = "bench.relay-in";
        String out = "bench.relay-out";
        createTopic(kafka, in);
        createTopic(kafka, out);
        long batches = (images + batch - 1) / batch;
        AtomicLong read = new AtomicLong();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("bench-relay-out", "bench"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(out));
                while (read.get() < batches) {
                    read.addAndGet(c.poll(Duration.ofMillis(100)).count());
                }
            }
        }, "kds-bench-relay-reader");
        Thread relay = new Thread(() -> {
            byte[] value = new byte[batchBytes];
            long seen = 0;
            long sent = 0;
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("bench-relay", "bench"),
                    new StringDeserializer(), new ByteArrayDeserializer());
                 org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> p =
                         new org.apache.kafka.clients.producer.KafkaProducer<>(kafka.producer("bench-relay"),
                                 new StringSerializer(), new ByteArraySerializer())) {
                c.subscribe(List.of(in));
                while (sent < batches) {
                    seen += c.poll(Duration.ofMillis(100)).count();
                    while (sent < batches && (seen >= (sent + 1) * batch || seen == images)) {
                        p.send(new ProducerRecord<>(out, (int) (sent % kafka.partitions()), "b" + sent, value));
                        sent++;
                    }
                    c.commitAsync();
                }
                p.flush();
            }
        }, "kds-bench-relay");
        reader.start();
        relay.start();
        byte[] value = new byte[sampleBytes];
        long t0 = System.nanoTime();
        try (KafkaSender<String, byte[]> sender = new KafkaSender<>(kafka.producer("bench"), new StringSerializer(),
                new ByteArraySerializer())) {
            Flux.range(0, (int) images).flatMap(i -> sender.sendAcknowledged(new ProducerRecord<>(in,
                    i % kafka.partitions(), "k" + i, value)), 1024).blockLast(Duration.ofMinutes(10));
        }
        try {
            relay.join(TimeUnit.MINUTES.toMillis(10));
            reader.join(TimeUnit.MINUTES.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return images / ((System.nanoTime() - t0) / 1e9);
    }

    private static void createTopic(KafkaSettings kafka, String topic) {
        try (Admin admin = Admin.create(kafka.admin("bench"))) {
            admin.createTopics(List.of(new NewTopic(topic, kafka.partitions(), (short) 1).configs(Map.of(
                    "max.message.bytes", Integer.toString(kafka.maxRecordBytes() + KafkaSettings.FRAMING_BYTES)))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + topic + ": " + e, e);
        }
    }

    /** Produces {@code count} records of {@code size} bytes while a consumer reads them; images per second. */
    private static double rawRate(KafkaSettings kafka, String topic, int size, long count, int imagesPerRecord) {
        createTopic(kafka, topic);
        AtomicLong consumed = new AtomicLong();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("bench-" + topic, "bench"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(topic));
                while (consumed.get() < count && !Thread.currentThread().isInterrupted()) {
                    consumed.addAndGet(c.poll(Duration.ofMillis(100)).count());
                }
            }
        }, "kds-bench-reader");
        reader.start();
        byte[] value = new byte[size];
        long t0 = System.nanoTime();
        try (KafkaSender<String, byte[]> sender = new KafkaSender<>(kafka.producer("bench"), new StringSerializer(),
                new ByteArraySerializer())) {
            Flux.range(0, (int) count).flatMap(i -> sender.sendAcknowledged(new ProducerRecord<>(topic,
                    i % kafka.partitions(), "k" + i, value)), 1024).blockLast(Duration.ofMinutes(10));
        }
        try {
            reader.join(TimeUnit.MINUTES.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return count * imagesPerRecord / seconds;
    }

    /** The stages of one pass: loader and augmenter, and for view records the teacher's rendering. */
    private static List<Service> stages(LoaderConfig loaderConfig, AugmenterConfig augConfig, KafkaSettings run,
                                        long images, boolean records, int renderThreads) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Service> stages = new ArrayList<>(List.of(new Loader(loaderConfig, run, registry),
                new Augmenter(augConfig, run, registry)));
        if (records) {
            stages.add(new RenderStage(run, images, renderThreads));
        }
        return stages;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }
}
