package io.kdstream.teacher;

import io.kdstream.core.MetricNames;
import io.kdstream.core.Progress;
import io.kdstream.core.Service;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaReceiver;
import io.kdstream.core.kafka.KafkaSender;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Outgoing;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.kafka.RelayLedger;
import io.kdstream.core.kafka.RunEnd;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.kafka.TopicAdmin;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.EpochEnd;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.WireFormatException;
import io.kdstream.models.DjlThreads;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The teacher stage: consumes AUGMENTED_BATCH records, runs the frozen teacher on exactly the view bytes the
 * augmenter wrote (checksum verified), and publishes ANNOTATED_BATCH records (the batch unchanged plus logits, teacher
 * id and version) on the same partition; the consumed offset is committed only after the broker acknowledged the
 * annotated batch. Replicas share the work as one consumer group. Only the forward pass runs on the service's DJL
 * thread; decoding and encoding run ahead of and behind it on an I/O thread.
 */
public final class TeacherService implements Service {
    /** The stage name. */
    public static final String STAGE = "teacher";
    private static final Logger LOG = LoggerFactory.getLogger(TeacherService.class);

    private final TeacherConfig config;
    private final KafkaSettings kafka;
    private final MeterRegistry registry;
    private final RelayLedger ledger;
    private TeacherModel teacher;
    private Timer forward;
    private Admin admin;
    private KafkaSender<String, byte[]> sender;
    private DeadLetters deadLetters;
    private Scheduler djl;
    private Scheduler io;
    private Disposable pipeline;
    private boolean stopped;

    /**
     * @param config   which teacher and how to run it
     * @param kafka    where to read and write
     * @param registry where meters go
     */
    public TeacherService(TeacherConfig config, KafkaSettings kafka, MeterRegistry registry) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
        this.ledger = new RelayLedger(STAGE, registry);
    }

    /** Builds a teacher service from settings (the factory of {@code kdstream run teacher}). */
    public static TeacherService fromSettings(Settings s, MeterRegistry registry) {
        return new TeacherService(TeacherConfig.from(s), KafkaSettings.from(s), registry);
    }

    @Override
    public String name() {
        return STAGE;
    }

    @Override
    public Progress progress() {
        return ledger.progress();
    }

    @Override
    public Mono<Void> completion() {
        return ledger.completion();
    }

    /** Images per second annotated and acknowledged, from the end of the first batch to the end of the last. */
    public double annotateRate() {
        return ledger.rate();
    }

    /** The loaded teacher, once started. */
    public TeacherModel teacher() {
        return teacher;
    }

    @Override
    public synchronized void start() {
        if (pipeline != null) {
            throw new IllegalStateException("teacher service already started");
        }
        djl = DjlThreads.newScheduler("kds-teacher-djl");
        teacher = loadOn(djl);
        forward = Timer.builder(MetricNames.TEACHER_FORWARD).tag("teacher", teacher.id())
                .tag("version", teacher.version()).description("teacher forward pass per batch").register(registry);
        admin = Admin.create(kafka.admin(STAGE));
        TopicAdmin.ensureTopics(admin, kafka, Topic.AUGMENTED, Topic.ANNOTATED, Topic.DEAD_LETTER);
        sender = new KafkaSender<>(kafka.producer(STAGE), new StringSerializer(), new ByteArraySerializer());
        deadLetters = new DeadLetters(sender, kafka.topic(Topic.DEAD_LETTER), STAGE, registry);
        KafkaReceiver<String, byte[]> receiver = new KafkaReceiver<>(kafka.consumer(kafka.group(STAGE), STAGE),
                List.of(kafka.topic(Topic.AUGMENTED)), new StringDeserializer(), new ByteArrayDeserializer(),
                Duration.ofMillis(100), 16);
        RunEnd runEnd = new RunEnd();
        io = Schedulers.newSingle("kds-teacher-io", true);
        pipeline = receiver.receive()
                .publishOn(io, 4)
                .map(rec -> decode(rec, runEnd))
                .publishOn(djl, 2)
                .map(this::forward)
                .publishOn(io, 2)
                .map(this::encode)
                .flatMapSequential(o -> o.publish(sender, kafka.topic(Topic.ANNOTATED)), 4, 1)
                .subscribe(ledger::acknowledged, ledger::failed);
        LOG.info("teacher {} v{} annotating {} on {}", teacher.id(), teacher.version(),
                kafka.topic(Topic.AUGMENTED), config.device());
    }

    private TeacherModel loadOn(Scheduler scheduler) {
        return Mono.fromCallable(() -> TeacherModel.load(config)).subscribeOn(scheduler).block();
    }

    /** A record on its way through: either already resolved (marker, dead letter) or a batch to annotate. */
    private record Work(ReceivedRecord<String, byte[]> rec, Outgoing resolved, AugmentedBatch batch, float[] logits) {
        Work withLogits(float[] l) {
            return new Work(rec, resolved, batch, l);
        }
    }

    /** On the I/O thread: parse and verify the batch (checksum), forward markers, dead-letter bad records. */
    private Work decode(ReceivedRecord<String, byte[]> rec, RunEnd runEnd) {
        Frame f;
        try {
            f = FrameCodec.decode(rec.value());
        } catch (WireFormatException e) {
            return new Work(rec, Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_RECORD, rec, e.getMessage()),
                    null, null);
        }
        if (f.kind() == RecordKind.EPOCH_END) {
            EpochEnd end = EpochEnd.fromFrame(f);
            EpochEnd fwd = end.forward(STAGE, end.batches(), System.currentTimeMillis());
            return new Work(rec, Outgoing.marker(rec.record().partition(), fwd.key(), fwd.encode(),
                    runEnd.completes(end), rec), null, null);
        }
        try {
            AugmentedBatch batch = AugmentedBatch.fromFrame(f.requireKind(RecordKind.AUGMENTED_BATCH));
            if (batch.numClasses() != teacher.logits().classes()) {
                return new Work(rec, Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_CONTENT, rec, "batch "
                        + batch.key() + " has " + batch.numClasses() + " classes but teacher " + teacher.id()
                        + " predicts " + teacher.logits().classes() + "; use a teacher trained on the same classes"),
                        null, null);
            }
            return new Work(rec, null, batch, null);
        } catch (WireFormatException e) {
            return new Work(rec, Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_RECORD, rec, e.getMessage()),
                    null, null);
        }
    }

    /** On the DJL thread: the teacher's forward pass over exactly the view bytes the augmenter wrote. */
    private Work forward(Work w) {
        if (w.resolved() != null) {
            return w;
        }
        long t0 = System.nanoTime();
        try {
            float[] logits = teacher.logits().logits(w.batch().view());
            forward.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return w.withLogits(logits);
        } catch (IllegalArgumentException e) {
            return new Work(w.rec(), Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_CONTENT, w.rec(),
                    "batch " + w.batch().key() + ": " + e.getMessage()), null, null);
        }
    }

    /** On the I/O thread: the annotated record. */
    private Outgoing encode(Work w) {
        if (w.resolved() != null) {
            return w.resolved();
        }
        AugmentedBatch batch = w.batch();
        AnnotatedBatch out = new AnnotatedBatch(batch, w.logits(), config.half(), teacher.id(), teacher.version());
        ledger.progress().status("epoch " + (batch.epoch() + 1));
        return Outgoing.record(RecordKind.ANNOTATED_BATCH, w.rec().record().partition(), batch.key(), out.encode(),
                batch.size(), List.of(w.rec()));
    }

    @Override
    public synchronized void stop() {
        if (stopped || pipeline == null) {
            stopped = true;
            return;
        }
        stopped = true;
        pipeline.dispose();
        sender.close();
        admin.close(Duration.ofSeconds(5));
        Mono.fromRunnable(() -> {
            try {
                teacher.close();
            } catch (Exception e) {
                LOG.warn("closing teacher: {}", e.toString());
            }
        }).subscribeOn(djl).block(Duration.ofSeconds(30));
        djl.dispose();
        io.dispose();
        ledger.stopped();
    }
}
