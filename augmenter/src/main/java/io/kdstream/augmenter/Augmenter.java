package io.kdstream.augmenter;

import io.kdstream.augmenter.ops.BatchAugmenter;
import io.kdstream.core.MetricNames;
import io.kdstream.core.Progress;
import io.kdstream.core.Service;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.image.ImageDecodeException;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaReceiver;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.LagProbe;
import io.kdstream.core.kafka.LagThrottle;
import io.kdstream.core.kafka.Outgoing;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.kafka.RelayLedger;
import io.kdstream.core.kafka.RunEnd;
import io.kdstream.core.kafka.StageKafka;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.EncodedSample;
import io.kdstream.core.wire.EpochEnd;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.SampleRef;
import io.kdstream.core.wire.ViewEncoding;
import io.kdstream.core.wire.WireFormatException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The augmenter stage: consumes SAMPLE records, groups each partition's samples into batches (position k goes to
 * batch k / batchSize, so batch ids survive restarts), augments and mixes each batch once on its own parallel
 * scheduler, publishes it to {@code augmented} on the same partition, and only then acknowledges the samples.
 * EPOCH_END markers flush the partition's partial batch and are forwarded. Malformed records are dead-lettered.
 */
public final class Augmenter implements Service {
    /** The stage name. */
    public static final String STAGE = "augmenter";
    private static final Logger LOG = LoggerFactory.getLogger(Augmenter.class);

    private final AugmenterConfig config;
    private final KafkaSettings kafka;
    private final MeterRegistry registry;
    private final BatchAugmenter augmenter;
    private final RelayLedger ledger;
    private final Timer batchTime;
    private StageKafka stage;
    private DeadLetters deadLetters;
    private Scheduler assembleScheduler;
    private Scheduler workScheduler;
    private Disposable pipeline;
    private boolean stopped;

    /**
     * @param config   batch size, views, crop and mix
     * @param kafka    where to read and write
     * @param registry where meters go
     */
    public Augmenter(AugmenterConfig config, KafkaSettings kafka, MeterRegistry registry) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
        this.augmenter = new BatchAugmenter(config.crop(), config.flip(), config.teacherSize(), config.studentSize(),
                config.mix(), config.seed(), config.teacherView(), config.viewEncoding());
        this.ledger = new RelayLedger(STAGE, registry);
        batchTime = Timer.builder(MetricNames.STAGE_BATCH_TIME).tag(MetricNames.TAG_STAGE, STAGE)
                .publishPercentileHistogram()
                .description("time to augment and encode one batch").register(registry);
    }

    /** Builds an augmenter from settings (the factory of {@code kdstream run augmenter}). */
    public static Augmenter fromSettings(Settings s, MeterRegistry registry) {
        KafkaSettings kafka = KafkaSettings.from(s);
        // bounded by default: the stage that reads the augmented topic is the teacher when distilling, else the student
        String next = s.string(Keys.STUDENT_MODE).equalsIgnoreCase("distill") ? "teacher" : "student";
        return new Augmenter(AugmenterConfig.from(s, List.of(kafka.group(next))), kafka, registry);
    }

    @Override
    public Progress progress() {
        return ledger.progress();
    }

    @Override
    public Mono<Void> completion() {
        return ledger.completion();
    }

    @Override
    public synchronized void start() {
        if (pipeline != null) {
            throw new IllegalStateException("augmenter already started");
        }
        stage = StageKafka.open(kafka, STAGE, registry, Topic.SAMPLES, Topic.AUGMENTED);
        deadLetters = stage.deadLetters();
        assembleScheduler = Schedulers.newSingle("kds-augmenter-assemble", true);
        workScheduler = Schedulers.newParallel("kds-augmenter", config.threads(), true);
        LagThrottle throttle = config.feeds().isEmpty() ? null : LagThrottle.of(new LagProbe(stage.admin(),
                kafka.topic(Topic.AUGMENTED), config.feeds()), config.maxAheadBatches(), Duration.ofMillis(100));
        if (throttle != null) {
            throttle.bindMetrics(registry, STAGE);
        }
        Assembler assembler = new Assembler(throttle);
        KafkaReceiver<String, byte[]> receiver = stage.receiver(Duration.ofMillis(100),
                Math.max(512, 2 * config.batchSize()));
        pipeline = receiver.receive()
                .publishOn(assembleScheduler, 256)
                .concatMapIterable(assembler::accept)
                .flatMapSequential(w -> Mono.fromCallable(w::prepare).subscribeOn(workScheduler), config.threads(), 1)
                .flatMapSequential(o -> o.publish(stage.sender(), kafka.topic(Topic.AUGMENTED)), 8, 1)
                .subscribe(ledger::acknowledged, ledger::failed);
        LOG.info("augmenter: batches of {}, teacher view {}px, student view {}px, mix {}", config.batchSize(),
                config.teacherSize(), config.studentSize(), config.mix().choice());
    }

    @Override
    public synchronized void stop() {
        if (stopped || pipeline == null) {
            stopped = true;
            return;
        }
        stopped = true;
        pipeline.dispose();
        stage.close();
        assembleScheduler.dispose();
        workScheduler.dispose();
        ledger.stopped();
    }

    /** A unit of work made by the assembler and prepared (augmented, encoded) on the work scheduler. */
    private interface Work {
        Outgoing prepare();
    }

    /** Groups records into batches per partition; confined to the assemble scheduler. */
    private final class Assembler {
        private final LagThrottle throttle;
        private final Map<Integer, Pending> pending = new HashMap<>();
        private final Map<Integer, Pending> carried = new HashMap<>(); // DLB: the previous batch's new samples
        private final RunEnd runEnd = new RunEnd();

        Assembler(LagThrottle throttle) {
            this.throttle = throttle;
        }

        List<Work> accept(ReceivedRecord<String, byte[]> rec) {
            int partition = rec.record().partition();
            Frame f;
            try {
                f = FrameCodec.decode(rec.value());
            } catch (WireFormatException e) {
                return List.of(dead(rec, e.getMessage()));
            }
            List<Work> out = new ArrayList<>(2);
            switch (f.kind()) {
                case SAMPLE -> {
                    Sample s = null;
                    SampleRef ref = null;
                    try { // pixels, the file's bytes to decode here (encoded), or the file's name (reference)
                        if (SampleRef.isReference(f)) {
                            ref = SampleRef.fromFrame(f);
                        } else {
                            s = EncodedSample.isEncoded(f) ? EncodedSample.fromFrame(f).decode() : Sample.fromFrame(f);
                        }
                    } catch (ImageDecodeException e) {
                        return List.of(deadLetter(rec, DeadLetters.Reason.CORRUPT_IMAGE, f.stringProperty("source", "")
                                + ": " + e.getMessage()));
                    } catch (RuntimeException e) {
                        return List.of(dead(rec, e.getMessage()));
                    }
                    long sampleId = s != null ? s.sampleId() : ref.sampleId();
                    int epoch = s != null ? s.epoch() : ref.epoch();
                    long position = s != null ? s.position() : ref.position();
                    int group = config.newSamplesPerBatch();
                    long seq = position / group;
                    Pending p = pending.get(partition);
                    if (p != null && (p.epoch != epoch || p.seq != seq)) {
                        out.add(flush(partition));
                        p = null;
                    }
                    if (p != null && !p.isEmpty() && !p.compatible(s, ref)) {
                        return List.of(deadContent(rec, "sample " + sampleId + " (" + f.stringProperty("source", "")
                                + ") does not fit its batch: " + p.describeFirst() + "; one run reads one dataset, "
                                + "shipped one way"));
                    }
                    if (p == null) {
                        p = new Pending(epoch, partition, seq);
                        pending.put(partition, p);
                    }
                    p.add(s, ref, rec);
                    if (position % group == group - 1) {
                        out.add(flush(partition));
                    }
                }
                case EPOCH_END -> {
                    EpochEnd end;
                    try {
                        end = EpochEnd.fromFrame(f);
                    } catch (RuntimeException e) {
                        return List.of(dead(rec, e.getMessage()));
                    }
                    if (pending.containsKey(partition)) {
                        out.add(flush(partition));
                    }
                    carried.remove(partition);
                    long count = (end.samples() + config.newSamplesPerBatch() - 1) / config.newSamplesPerBatch();
                    EpochEnd fwd = end.forward(STAGE, count, System.currentTimeMillis());
                    boolean last = runEnd.completes(end);
                    admit(); // a marker is a record on the topic too: the bound counts records
                    out.add(() -> Outgoing.marker(partition, fwd.key(), fwd.encode(), last, rec));
                }
                default -> out.add(dead(rec, "unexpected " + f.kind() + " record on the samples topic; only SAMPLE "
                        + "and EPOCH_END belong there"));
            }
            return out;
        }

        private Work flush(int partition) {
            Pending p = pending.remove(partition);
            Pending batch = p;
            long variant = 0;
            if (config.dlb()) {
                Pending prev = carried.put(partition, p);
                if (prev != null && prev.epoch == p.epoch && prev.seq == p.seq - 1) {
                    batch = prev.followedBy(p);
                }
                variant = p.seq + 1; // repeated samples get fresh crops, flips and mixing
            }
            Pending content = batch;
            long cropVariant = variant;
            admit();
            return () -> {
                long t0 = System.nanoTime();
                AugmentedBatch b = content.refs.isEmpty()
                        ? augmenter.augment(content.samples, p.epoch, p.partition, p.seq, cropVariant)
                        : augmenter.plan(content.refs, p.epoch, p.partition, p.seq, cropVariant);
                byte[] value = b.encode();
                if (value.length > kafka.maxRecordBytes()) {
                    throw new IllegalStateException("batch " + b.key() + " encodes to " + value.length
                            + " bytes, over kafka.max-record-bytes=" + kafka.maxRecordBytes() + "; lower "
                            + "pipeline.batch-size or the view sizes"
                            + (config.viewEncoding() == ViewEncoding.UINT8 ? ""
                                    : ", send smaller views (augment.view-encoding=uint8 or float16)")
                            + ", or raise kafka.max-record-bytes");
                }
                batchTime.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
                ledger.progress().status("epoch " + (p.epoch + 1));
                return Outgoing.record(RecordKind.AUGMENTED_BATCH, p.partition, b.key(), value, b.size(), p.records);
            };
        }

        /** Blocks while the augmented topic is augmenter.max-ahead-batches records ahead of the groups it feeds. */
        private void admit() {
            if (throttle != null) {
                try {
                    throttle.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for downstream consumers", e);
                }
            }
        }

        private Work dead(ReceivedRecord<String, byte[]> rec, String message) {
            return deadLetter(rec, DeadLetters.Reason.BAD_RECORD, message);
        }

        private Work deadContent(ReceivedRecord<String, byte[]> rec, String message) {
            return deadLetter(rec, DeadLetters.Reason.BAD_CONTENT, message);
        }

        private Work deadLetter(ReceivedRecord<String, byte[]> rec, DeadLetters.Reason reason, String message) {
            return () -> Outgoing.deadLetter(deadLetters, reason, rec, message);
        }
    }

    /** The samples of one partition's current batch: pixels, or files named by the loader (reference). */
    private static final class Pending {
        final int epoch;
        final int partition;
        final long seq;
        final List<Sample> samples = new ArrayList<>();
        final List<SampleRef> refs = new ArrayList<>();
        final List<ReceivedRecord<String, byte[]>> records = new ArrayList<>();

        Pending(int epoch, int partition, long seq) {
            this.epoch = epoch;
            this.partition = partition;
            this.seq = seq;
        }

        void add(Sample s, SampleRef ref, ReceivedRecord<String, byte[]> rec) {
            if (s != null) {
                samples.add(s);
            } else {
                refs.add(ref);
            }
            records.add(rec);
        }

        boolean isEmpty() {
            return samples.isEmpty() && refs.isEmpty();
        }

        /** Whether a sample can join: the same kind of record, channels and classes (and folder, for files). */
        boolean compatible(Sample s, SampleRef ref) {
            if (s != null) {
                return refs.isEmpty() && samples.get(0).image().channels() == s.image().channels()
                        && samples.get(0).numClasses() == s.numClasses();
            }
            SampleRef first = refs.isEmpty() ? null : refs.get(0);
            return first != null && first.channels() == ref.channels() && first.numClasses() == ref.numClasses()
                    && first.root().equals(ref.root());
        }

        String describeFirst() {
            if (!samples.isEmpty()) {
                Sample s = samples.get(0);
                return "its batch has pixels of " + s.image().channels() + " channel(s) and " + s.numClasses()
                        + " classes";
            }
            SampleRef r = refs.get(0);
            return "its batch names files under " + r.root() + " of " + r.channels() + " channel(s) and "
                    + r.numClasses() + " classes";
        }

        /** DLB: this batch's samples, then the next one's. */
        Pending followedBy(Pending next) {
            Pending both = new Pending(next.epoch, next.partition, next.seq);
            both.samples.addAll(samples);
            both.samples.addAll(next.samples);
            both.refs.addAll(refs);
            both.refs.addAll(next.refs);
            return both;
        }
    }
}
