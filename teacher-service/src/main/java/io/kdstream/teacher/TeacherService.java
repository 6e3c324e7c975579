package io.kdstream.teacher;

import io.kdstream.core.InputWait;
import io.kdstream.core.Progress;
import io.kdstream.core.Service;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Settings;
import io.kdstream.core.image.BatchRenderer;
import io.kdstream.core.image.RenderException;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaReceiver;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.LagThrottle;
import io.kdstream.core.kafka.Outgoing;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.kafka.RelayLedger;
import io.kdstream.core.kafka.RunEnd;
import io.kdstream.core.kafka.StageKafka;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.EpochEnd;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.TeacherView;
import io.kdstream.core.wire.WireFormatException;
import io.kdstream.models.LogitsFunction;
import io.kdstream.tuning.DjlThreads;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The teacher stage: consumes AUGMENTED_BATCH records, runs the frozen teacher on exactly the view bytes the
 * augmenter wrote (checksum verified), and publishes ANNOTATED_BATCH records (the batch unchanged plus logits, teacher
 * id and version) on the same partition; the consumed offset is committed only after the broker acknowledged the
 * annotated batch. Replicas share the work as one consumer group. Only the forward pass runs on the service's DJL
 * thread; decoding and encoding run ahead of and behind it on an I/O thread.
 *
 * <p>Live teacher swap: {@link #swap(TeacherConfig)} (or the token-protected admin endpoint, {@link TeacherAdmin})
 * loads another model on the DJL thread between two forward passes and replaces the running one; each batch carries
 * the id and version of the teacher that annotated it. Hand-over between replicas: a replica that loses partitions
 * first lets the batches it already took from them finish and commits them, and {@link #stop()} drains the same way,
 * so a new replica with a new teacher takes over without annotating any batch twice.
 *
 * <p>Swapping every replica at once, and for good: {@code kdstream teacher swap} publishes a signed {@link SwapOrder}
 * on the run's compacted control topic; each replica applies it between two batches ({@link SwapFollower}) and a
 * replica that starts later, or restarts, runs the ordered teacher from its first batch.
 */
public final class TeacherService implements Service {
    /** The stage name. */
    public static final String STAGE = "teacher";
    private static final Logger LOG = LoggerFactory.getLogger(TeacherService.class);
    /** How long a replica losing partitions, or stopping, waits for the batches it took to be published. */
    static final Duration HAND_OVER = Duration.ofSeconds(15);

    private final TeacherConfig config;
    private final KafkaSettings kafka;
    private final MeterRegistry registry;
    private final RelayLedger ledger;
    private final TeacherAdmin.Config adminConfig;
    private final Sinks.Empty<Void> flowDone = Sinks.empty();
    private final FixedTeacher fixed = new FixedTeacher();
    private final InputWait inputWait;
    private final int renderThreads;
    private volatile TeacherConfig current;
    private volatile TeacherModel teacher;
    private TeacherMetrics meters;
    private TeacherAdmin adminEndpoint;
    private SwapFollower follower;
    private KafkaReceiver<String, byte[]> receiver;
    private StageKafka stage;
    private DeadLetters deadLetters;
    private Scheduler djl;
    private Scheduler io;
    private Scheduler gate;
    private final FeedBound bound;
    private BatchRenderer renderer;
    private Disposable pipeline;
    private boolean stopped;

    /**
     * A service without the admin endpoint that runs as far ahead as its input allows (benches, tests).
     *
     * @param config   which teacher and how to run it
     * @param kafka    where to read and write
     * @param registry where meters go
     */
    public TeacherService(TeacherConfig config, KafkaSettings kafka, MeterRegistry registry) {
        this(config, kafka, registry, FeedBound.NONE);
    }

    /**
     * A service without the admin endpoint.
     *
     * @param bound how far ahead of the stage it feeds it may run (no feeds: unbounded, for benches)
     */
    public TeacherService(TeacherConfig config, KafkaSettings kafka, MeterRegistry registry, FeedBound bound) {
        this(config, kafka, registry, TeacherAdmin.Config.OFF, BatchRenderer.defaultThreads(), bound);
    }

    /**
     * @param config   which teacher and how to run it
     * @param kafka    where to read and write
     * @param registry where meters go
     * @param admin    the admin endpoint ({@code admin.*}), or {@link TeacherAdmin.Config#OFF}
     * @param renderThreads {@code render.threads}: threads that render batches of view records
     * @param bound    how far ahead of the stage it feeds it may run
     */
    TeacherService(TeacherConfig config, KafkaSettings kafka, MeterRegistry registry, TeacherAdmin.Config admin,
                   int renderThreads, FeedBound bound) {
        this.bound = bound;
        this.config = config;
        this.current = config;
        this.kafka = kafka;
        this.registry = registry;
        this.adminConfig = admin;
        this.ledger = new RelayLedger(STAGE, registry);
        this.inputWait = new InputWait(registry, STAGE);
        this.renderThreads = renderThreads;
    }

    /** Builds a teacher service from settings (the factory of {@code kdstream run teacher}). */
    public static TeacherService fromSettings(Settings s, MeterRegistry registry) {
        KafkaSettings kafka = KafkaSettings.from(s);
        return new TeacherService(TeacherConfig.from(s), kafka, registry, TeacherAdmin.Config.from(s),
                BatchRenderer.threads(s), FeedBound.from(s, kafka));
    }

    /** The admin endpoint's port, or -1 when it is off (after start). */
    public int adminPort() {
        return adminEndpoint == null ? -1 : adminEndpoint.port();
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

    /** The share of its time the DJL thread waited for the next batch (see {@link InputWait}). */
    public double inputWaitShare() {
        return inputWait.share();
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
        djl = DjlThreads.newScheduler("teacher");
        renderer = new BatchRenderer(renderThreads);
        stage = StageKafka.open(kafka, STAGE, registry, Topic.AUGMENTED, Topic.ANNOTATED, Topic.CONTROL);
        deadLetters = stage.deadLetters();
        follower = new SwapFollower(kafka, adminConfig.token(), registry);
        Optional<SwapOrder> order = follower.catchUp(kafka.sendTimeout());
        try { // a swap ordered before this replica started wins over teacher.model: every replica runs one teacher
            current = order.map(o -> config.forSwap(o.model(), o.id(), o.version())).orElse(config);
            teacher = Mono.fromCallable(() -> TeacherModel.load(current)).subscribeOn(djl).block();
        } catch (RuntimeException e) {
            follower.close();
            stage.close();
            djl.dispose();
            renderer.close();
            if (order.isEmpty()) {
                throw e;
            }
            throw new ConfigException("the run's last teacher swap order (" + order.get().describe() + " on "
                    + kafka.topic(Topic.CONTROL) + ") names a teacher this replica cannot load: " + e.getMessage()
                    + ". Make the model available under teacher.model-root, or order another swap (kdstream "
                    + "teacher swap --to=MODEL)");
        }
        order.ifPresent(o -> LOG.info("teacher: the run's swap order {} applies; running it instead of {}",
                o.describe(), config.model()));
        meters = new TeacherMetrics(registry);
        meters.active(teacher);
        receiver = stage.receiver(Duration.ofMillis(100), 16).withRevokeDrain(HAND_OVER);
        RunEnd runEnd = new RunEnd();
        io = Schedulers.newSingle("kds-teacher-io", true);
        gate = Schedulers.newSingle("kds-teacher-gate", true);
        LagThrottle throttle = bound.throttle(stage.admin(), kafka, registry, STAGE);
        pipeline = receiver.receive()
                .publishOn(io, 4)
                .map(rec -> decode(rec, runEnd))
                .publishOn(djl, 4) // asks for 3 more while one batch is queued (2 would drain first, then wait)
                .map(this::forward)
                .publishOn(io, 2)
                .map(this::encode)
                .publishOn(gate, 1) // waits here, on its own thread, while the student is maxAheadBatches behind
                .map(o -> FeedBound.admit(o, throttle))
                .flatMapSequential(o -> o.publish(stage.sender(), kafka.topic(Topic.ANNOTATED)), 4, 1)
                .subscribe(ledger::acknowledged, e -> {
                    ledger.failed(e);
                    flowDone.tryEmitEmpty();
                }, flowDone::tryEmitEmpty);
        follower.follow(o -> swap(current.forSwap(o.model(), o.id(), o.version())));
        if (adminConfig.enabled()) {
            adminEndpoint = new TeacherAdmin(adminConfig, new TeacherAdmin.Target() {
                @Override
                public TeacherModel current() {
                    return teacher;
                }

                @Override
                public TeacherModel swap(String model, String id, String version) {
                    return TeacherService.this.swap(current.forSwap(model, id, version));
                }
            });
            LOG.info("teacher admin endpoint on http://{}:{}/admin/teacher", adminConfig.host(), adminEndpoint.port());
        }
        LOG.info("teacher {} v{} annotating {} on {}", teacher.id(), teacher.version(),
                kafka.topic(Topic.AUGMENTED), config.device());
    }

    /**
     * Replaces the running teacher with the one {@code next} describes, between two forward passes: loads it on the
     * DJL thread, checks that it predicts as many classes as the running one, then switches; batches annotated from
     * then on carry its id and version. On failure the running teacher stays and the error says why.
     *
     * @return the new teacher
     * @throws ConfigException when the model is missing, unreadable or does not fit
     */
    public TeacherModel swap(TeacherConfig next) {
        if (teacher == null || stopped) {
            throw new IllegalStateException("the teacher service is not running");
        }
        return Mono.fromCallable(() -> {
            TeacherModel old = teacher;
            TeacherModel fresh;
            try {
                fresh = TeacherModel.load(next);
            } catch (RuntimeException e) {
                meters.swapped(false);
                throw e instanceof ConfigException ? e : new ConfigException("cannot load teacher " + next.model()
                        + ": " + e.getMessage());
            }
            if (fresh.logits().classes() != old.logits().classes()) {
                meters.swapped(false);
                closeQuietly(fresh);
                throw new ConfigException("teacher " + next.model() + " predicts " + fresh.logits().classes()
                        + " classes but the running teacher " + old.id() + " v" + old.version() + " predicts "
                        + old.logits().classes() + "; swap only to a teacher of the same classes");
            }
            teacher = fresh;
            current = next;
            meters.active(fresh);
            closeQuietly(old);
            meters.swapped(true);
            LOG.info("teacher swapped: {} v{} -> {} v{} ({})", old.id(), old.version(), fresh.id(), fresh.version(),
                    next.model());
            return fresh;
        }).subscribeOn(djl).block(Duration.ofMinutes(5));
    }

    private static void closeQuietly(TeacherModel t) {
        try {
            t.close();
        } catch (Exception e) {
            LOG.warn("closing teacher {}: {}", t.id(), e.toString());
        }
    }

    /**
     * A record on its way through: either already resolved (marker, dead letter) or a batch to annotate, and after
     * the forward pass its logits and the teacher that made them.
     */
    private record Work(ReceivedRecord<String, byte[]> rec, Outgoing resolved, AugmentedBatch batch,
                        LogitsFunction.Prediction prediction, TeacherModel by) {
        Work annotated(LogitsFunction.Prediction p, TeacherModel t) {
            return new Work(rec, resolved, batch, p, t);
        }
    }

    /** On the I/O thread: parse and verify the batch (checksum), forward markers, dead-letter bad records. */
    private Work decode(ReceivedRecord<String, byte[]> rec, RunEnd runEnd) {
        Frame f;
        try {
            f = FrameCodec.decode(rec.value());
        } catch (WireFormatException e) {
            return new Work(rec, Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_RECORD, rec, e.getMessage()), null, null, null);
        }
        if (f.kind() == RecordKind.EPOCH_END) {
            EpochEnd end = EpochEnd.fromFrame(f);
            EpochEnd fwd = end.forward(STAGE, end.batches(), System.currentTimeMillis());
            return new Work(rec, Outgoing.marker(rec.record().partition(), fwd.key(), fwd.encode(),
                    runEnd.completes(end), rec), null, null, null);
        }
        try {
            AugmentedBatch batch = AugmentedBatch.fromFrame(f.requireKind(RecordKind.AUGMENTED_BATCH));
            if (batch.numClasses() != teacher.logits().classes()) {
                return new Work(rec, Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_CONTENT, rec, "batch "
                        + batch.key() + " has " + batch.numClasses() + " classes but teacher " + teacher.id()
                        + " predicts " + teacher.logits().classes() + "; use a teacher trained on the same classes"), null, null, null);
            }
            if (batch.hasRecipe()) { // view records: decode the files and render the teacher's view here
                batch = renderer.renderTeacher(batch);
            }
            return new Work(rec, null, batch, null, null);
        } catch (RenderException e) {
            return new Work(rec, Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_CONTENT, rec, e.getMessage()), null, null, null);
        } catch (WireFormatException e) {
            return new Work(rec, Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_RECORD, rec, e.getMessage()), null, null, null);
        }
    }

    /** On the DJL thread: the teacher's forward pass over exactly the view bytes the augmenter wrote. */
    private Work forward(Work w) {
        if (w.resolved() != null) {
            return w;
        }
        inputWait.begin();
        long t0 = System.nanoTime();
        TeacherModel t = teacher; // swaps happen on this thread too, so t stays loaded for the whole pass
        try {
            AugmentedBatch b = w.batch();
            LogitsFunction.Prediction p = b.teacherView() == TeacherView.FIXED
                    ? new LogitsFunction.Prediction(fixed.annotate(b, t.id() + "@" + t.version(),
                            v -> t.logits().logits(v), t.logits().classes()),
                            List.of(), null)
                    : t.logits().predict(b.view());
            meters.forward(t, System.nanoTime() - t0);
            return w.annotated(p, t);
        } catch (IllegalArgumentException e) {
            return new Work(w.rec(), Outgoing.deadLetter(deadLetters, DeadLetters.Reason.BAD_CONTENT, w.rec(),
                    "batch " + w.batch().key() + ": " + e.getMessage()), null, null, null);
        } finally {
            inputWait.end();
        }
    }

    /** On the I/O thread: the annotated record. */
    private Outgoing encode(Work w) {
        if (w.resolved() != null) {
            return w.resolved();
        }
        AugmentedBatch batch = w.batch();
        LogitsFunction.Prediction p = w.prediction();
        AnnotatedBatch out = new AnnotatedBatch(batch, p.logits(), config.half(), w.by().id(), w.by().version(),
                p.members(), p.memberLogits(), config.topK());
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
        follower.close();
        if (adminEndpoint != null) {
            adminEndpoint.close();
        }
        receiver.drain(HAND_OVER); // finish and commit what was taken, leave the group, complete the flow
        try {
            flowDone.asMono().block(HAND_OVER.plusSeconds(5));
        } catch (IllegalStateException timeout) {
            LOG.warn("teacher: in-flight batches did not finish within {}; another replica annotates them again",
                    HAND_OVER);
        }
        pipeline.dispose();
        stage.close();
        Mono.fromRunnable(() -> closeQuietly(teacher)).subscribeOn(djl).block(Duration.ofSeconds(30));
        djl.dispose();
        io.dispose();
        gate.dispose();
        renderer.close();
        ledger.stopped();
    }
}
