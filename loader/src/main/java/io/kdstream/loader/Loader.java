package io.kdstream.loader;

import io.kdstream.core.MetricNames;
import io.kdstream.core.Progress;
import io.kdstream.core.Seeds;
import io.kdstream.core.Service;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaSender;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.LagProbe;
import io.kdstream.core.kafka.LagThrottle;
import io.kdstream.core.kafka.StageKafka;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.kafka.WireHeaders;
import io.kdstream.core.wire.EncodedSample;
import io.kdstream.core.wire.EpochEnd;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.SampleRef;
import io.kdstream.loader.dataset.BadImageException;
import io.kdstream.loader.dataset.Dataset;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The loader stage: decodes a dataset and publishes one SAMPLE record per image to {@code samples}, in a fresh
 * seeded permutation every epoch, round-robin over the partitions, then one EPOCH_END marker per partition. Bad
 * images are dead-lettered once and skipped in every epoch. The loader never runs more than
 * {@code loader.max-ahead-batches} batches ahead of the slowest group it feeds.
 */
public final class Loader implements Service {
    /** The stage name. */
    public static final String STAGE = "loader";
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);

    private final LoaderConfig config;
    private final KafkaSettings kafka;
    private final MeterRegistry registry;
    private final Progress progress = new Progress(STAGE, "img");
    private final Sinks.Empty<Void> done = Sinks.empty();
    private final AtomicInteger epoch = new AtomicInteger();
    private volatile boolean stopping;
    private Thread thread;
    private final long maxAhead;
    private LagThrottle throttle;

    /**
     * @param config   what to load and how fast
     * @param kafka    where to publish
     * @param registry where meters go
     */
    public Loader(LoaderConfig config, KafkaSettings kafka, MeterRegistry registry) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
        this.maxAhead = config.maxAheadRecords(kafka.partitions());
    }

    /** Builds a loader from settings (the factory of {@code kdstream run loader}). */
    public static Loader fromSettings(Settings s, MeterRegistry registry) {
        KafkaSettings kafka = KafkaSettings.from(s);
        return new Loader(LoaderConfig.from(s, List.of(kafka.group("augmenter"))), kafka, registry);
    }

    @Override
    public Progress progress() {
        return progress;
    }

    @Override
    public Mono<Void> completion() {
        return done.asMono();
    }

    @Override
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("loader already started");
        }
        thread = new Thread(this::run, "kds-loader");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Throwable failure = null;
        try (StageKafka stage = StageKafka.open(kafka, STAGE, registry, null, Topic.SAMPLES)) {
            Dataset data = config.dataset().open(true);
            LOG.info("loader: {} images of {} ({} classes, {} channel(s)), {} epoch(s), {} partitions", data.size(),
                    data.name(), data.numClasses(), data.channels(), config.epochs() == 0 ? "unbounded" : config.epochs(),
                    kafka.partitions());
            LagProbe probe = new LagProbe(stage.admin(), kafka.topic(Topic.SAMPLES), config.feeds());
            throttle = LagThrottle.of(probe, maxAhead, Duration.ofMillis(100));
            Publisher out = new Publisher(stage.sender(), stage.deadLetters());
            progress.total(config.epochs() == 0 ? -1 : (long) config.epochs() * data.size());
            BitSet bad = new BitSet(data.size());
            for (int e = 0; !stopping && (config.epochs() == 0 || e < config.epochs()); e++) {
                epoch.set(e);
                progress.status("epoch " + (e + 1) + "/" + (config.epochs() == 0 ? "inf" : config.epochs()));
                publishEpoch(data, e, bad, out);
            }
            out.drain();
            progress.finish();
            if (!stopping) {
                LOG.info("loader: done, {} images published, {} dead-lettered", (long) out.images.count(),
                        out.deadLetters.total());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.error("loader failed: {}", t.getMessage());
            failure = t;
        }
        // signalled only now, after the producer has flushed and closed
        if (failure == null) {
            done.tryEmitEmpty();
        } else {
            done.tryEmitError(failure);
        }
    }

    private void publishEpoch(Dataset data, int e, BitSet bad, Publisher out) throws InterruptedException {
        int partitions = kafka.partitions();
        int[] order = permutation(data.size(), config.seed(), e);
        long[] perPartition = new long[partitions];
        int emitted = 0;
        for (int i = 0; i < order.length && !stopping; i++) {
            int id = order[i];
            if (bad.get(id)) {
                progress.add(1);
                continue;
            }
            int p = emitted % partitions;
            byte[] record;
            String key = "s" + id;
            try {
                record = sampleRecord(config, data, id, e, p, emitted, perPartition[p]);
            } catch (BadImageException ex) {
                bad.set(id);
                out.deadLetter(ex, data.rawBytes(id), id);
                progress.add(1);
                continue;
            }
            throttle.acquire();
            out.send(kafka.topic(Topic.SAMPLES), p, key, record, RecordKind.SAMPLE, 1);
            perPartition[p]++;
            emitted++;
        }
        if (stopping) {
            return;
        }
        boolean last = config.epochs() > 0 && e == config.epochs() - 1;
        for (int p = 0; p < partitions; p++) {
            EpochEnd end = new EpochEnd(e, p, partitions, STAGE, perPartition[p], 0, last, System.currentTimeMillis());
            out.send(kafka.topic(Topic.SAMPLES), p, end.key(), end.encode(), RecordKind.EPOCH_END, 0);
        }
    }

    /**
     * One SAMPLE record as the loader of {@code config} publishes it: the decoded pixels, with
     * {@code loader.ship=encoded} the file as it is, with {@code reference} the file's name and size.
     *
     * @throws BadImageException when the image cannot be read
     */
    public static byte[] sampleRecord(LoaderConfig config, Dataset data, int id, int epoch, int partition,
                                      int indexInEpoch, long position) throws BadImageException {
        long now = System.currentTimeMillis();
        if (config.ship() == LoaderConfig.Ship.REFERENCE) {
            Dataset.Reference r = data.readReference(id);
            return new SampleRef(id, epoch, partition, indexInEpoch, position, r.label(), data.numClasses(), now,
                    r.root(), r.path(), r.height(), r.width(), data.channels(), config.dataset().maxSide()).encode();
        }
        if (config.ship() == LoaderConfig.Ship.ENCODED) {
            Dataset.Encoded f = data.readEncoded(id);
            return new EncodedSample(id, epoch, partition, indexInEpoch, position, f.label(), data.numClasses(), now,
                    data.name() + ":" + f.source(), f.bytes(), data.channels(), config.dataset().maxSide()).encode();
        }
        Dataset.Item item = data.read(id);
        return new Sample(id, epoch, partition, indexInEpoch, position, item.label(), data.numClasses(), now,
                data.name() + ":" + item.source(), item.image()).encode();
    }

    /** The shuffled order of an epoch: a Fisher-Yates permutation seeded by (seed, epoch). */
    public static int[] permutation(int n, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(Seeds.mix(seed, epoch, 0x10ADE4L));
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Sends with a bounded number of unacknowledged records; the first failed send fails the loader. */
    private final class Publisher {
        private final KafkaSender<String, byte[]> sender;
        private final DeadLetters deadLetters;
        private final Semaphore inFlight = new Semaphore(config.maxInFlight());
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Counter images;
        private final Counter bytes;

        Publisher(KafkaSender<String, byte[]> sender, DeadLetters deadLetters) {
            this.sender = sender;
            this.deadLetters = deadLetters;
            images = Counter.builder(MetricNames.STAGE_IMAGES).tag(MetricNames.TAG_STAGE, STAGE)
                    .description("images published").register(registry);
            bytes = Counter.builder(MetricNames.STAGE_BYTES).tag(MetricNames.TAG_STAGE, STAGE).baseUnit("bytes")
                    .description("record bytes published").register(registry);
            throttle.bindMetrics(registry, STAGE);
            Gauge.builder(MetricNames.STAGE_EPOCH, epoch, AtomicInteger::get).tag(MetricNames.TAG_STAGE, STAGE)
                    .register(registry);
        }

        void send(String topic, int partition, String key, byte[] value, RecordKind kind, int imageCount)
                throws InterruptedException {
            rethrow();
            inFlight.acquire();
            sender.sendAcknowledged(WireHeaders.record(topic, partition, key, value, kind)).subscribe(m -> {
                inFlight.release();
                images.increment(imageCount);
                bytes.increment(value.length);
                progress.add(imageCount);
            }, err -> {
                failure.compareAndSet(null, err);
                inFlight.release();
            });
        }

        void deadLetter(BadImageException e, byte[] raw, int id) {
            deadLetters.publish(e.unreadable() ? DeadLetters.Reason.UNREADABLE_FILE : DeadLetters.Reason.CORRUPT_IMAGE,
                    e.source(), "s" + id, raw, e.getMessage()).block(kafka.sendTimeout().plusSeconds(5));
        }

        void drain() throws InterruptedException {
            inFlight.acquire(config.maxInFlight());
            inFlight.release(config.maxInFlight());
            rethrow();
        }

        private void rethrow() {
            Throwable t = failure.get();
            if (t != null) {
                throw new IllegalStateException("publishing to " + kafka.bootstrapServers() + " failed: " + t, t);
            }
        }
    }
}
