package io.kdstream.student;

import io.kdstream.core.InputWait;
import io.kdstream.core.Progress;
import io.kdstream.core.RateWindow;
import io.kdstream.core.Service;
import io.kdstream.core.config.Settings;
import io.kdstream.core.image.BatchRenderer;
import io.kdstream.core.image.RenderException;
import io.kdstream.core.kafka.ConsumerLag;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaReceiver;
import io.kdstream.core.kafka.KafkaSender;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.kafka.Topic;
import io.kdstream.core.kafka.TopicAdmin;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.EpochEnd;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.WireFormatException;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.models.Models;
import io.kdstream.models.Network;
import io.kdstream.student.train.StudentLoop;
import io.kdstream.tuning.DjlThreads;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The student stage, Kafka side: consumes annotated batches (or augmented ones in supervised mode) in partition
 * order, skips any batch id it has trained already, hands each batch to the {@link StudentLoop} on the service's
 * own DJL thread, and at the end of every epoch (one EPOCH_END per source partition) evaluates and writes a
 * checkpoint with the offsets to resume from. After the last epoch it saves the final model, which a teacher
 * service can load. Metrics go through {@link StudentMetrics}.
 */
public final class StudentTrainer implements Service {
    /** The stage name. */
    public static final String STAGE = "student";
    private static final Logger LOG = LoggerFactory.getLogger(StudentTrainer.class);

    private final StudentConfig config;
    private final KafkaSettings kafka;
    private final StudentMetrics metrics;
    private final MeterRegistry registry;
    private final Checkpoints checkpoints;
    private final Progress progress = new Progress(STAGE, "img");
    private final Sinks.Empty<Void> done = Sinks.empty();
    private final Map<TopicPartition, Long> offsets = new HashMap<>();
    private final Set<String> trained = new LinkedHashSet<>();
    private final Map<Integer, Set<Integer>> markers = new HashMap<>();
    private final List<EvalResult> history = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> teacherBatches = new TreeMap<>();
    private final Map<String, String> trainedBy = new java.util.LinkedHashMap<>();
    private final Set<String> announcedTeachers = new HashSet<>();
    private final RateWindow throughput = new RateWindow();
    private final InputWait inputWait;
    private final LastBatchTargets dlb;
    private volatile long duplicates;
    private int epochsCompleted;
    private StudentLoop loop;
    private Evaluation.Split testSplit;
    private float[] teacherTestLogits;
    private Admin admin;
    private ConsumerLag lag;
    private KafkaSender<String, byte[]> sender;
    private DeadLetters deadLetters;
    private final int renderThreads;
    private Scheduler djl;
    private Scheduler decodeScheduler;
    private BatchRenderer renderer;
    private Disposable pipeline;
    private boolean stopped;

    /**
     * One evaluation on the test split.
     *
     * @param epoch        epochs completed
     * @param studentTop1  the student's top-1
     * @param teacherTop1  the teacher's top-1, NaN without an evaluation teacher
     * @param agreement    fraction of test images where student and teacher agree, NaN without one
     * @param kl           mean KL(teacher || student) at T = 1, NaN without one
     */
    public record EvalResult(int epoch, double studentTop1, double teacherTop1, double agreement, double kl) {
    }

    /**
     * @param config   what to train and how
     * @param kafka    where to read
     * @param registry where meters go
     */
    public StudentTrainer(StudentConfig config, KafkaSettings kafka, MeterRegistry registry) {
        this(config, kafka, registry, BatchRenderer.defaultThreads());
    }

    /**
     * @param config        what to train and how
     * @param kafka         where to read
     * @param registry      where meters go
     * @param renderThreads {@code render.threads}: threads that render batches of view records
     */
    public StudentTrainer(StudentConfig config, KafkaSettings kafka, MeterRegistry registry, int renderThreads) {
        this.renderThreads = renderThreads;
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
        this.metrics = new StudentMetrics(registry);
        this.inputWait = new InputWait(registry, STAGE);
        this.checkpoints = new Checkpoints(config.out());
        this.dlb = new LastBatchTargets(config.options().temperature(), config.spec().classes());
    }

    /** Builds a trainer from settings (the factory of {@code kdstream run student}). */
    public static StudentTrainer fromSettings(Settings s, MeterRegistry registry) {
        KafkaSettings kafka = KafkaSettings.from(s);
        Dataset train = io.kdstream.loader.dataset.DatasetSpec.from(s).open(true);
        return new StudentTrainer(StudentConfig.from(s, train.size(), train.numClasses(), train.channels(),
                kafka.partitions()), kafka, registry, BatchRenderer.threads(s));
    }

    @Override
    public String name() {
        return STAGE;
    }

    @Override
    public Progress progress() {
        return progress;
    }

    @Override
    public Mono<Void> completion() {
        return done.asMono();
    }

    /** Evaluations so far, oldest first. */
    public List<EvalResult> history() {
        return List.copyOf(history);
    }

    /** Ids of the batches trained, in order. */
    public Set<String> trainedBatches() {
        synchronized (trained) {
            return Set.copyOf(trained);
        }
    }

    /** Batches skipped because their id had been trained already. */
    public long duplicatesSkipped() {
        return duplicates;
    }

    /** Batches trained per teacher id and version ({@code id@version}) over the run, those before a resume included. */
    public Map<String, Long> teacherBatches() {
        synchronized (teacherBatches) {
            return Map.copyOf(teacherBatches);
        }
    }

    /**
     * For every batch trained on teacher logits, in training order: its id and the teacher ({@code id@version})
     * that annotated it.
     */
    public Map<String, String> trainedBy() {
        synchronized (trainedBy) {
            return new java.util.LinkedHashMap<>(trainedBy);
        }
    }

    /** The devices the student trains on (after start): more than one when data-parallel. */
    public int deviceCount() {
        return loop == null ? 0 : loop.deviceCount();
    }

    /** Images per second trained, from the end of the first step to the end of the last. */
    public double trainingRate() {
        return throughput.rate();
    }

    /** The share of its time the DJL thread waited for the next record (see {@link InputWait}). */
    public double inputWaitShare() {
        return inputWait.share();
    }

    /** The student's parameter count (after start). */
    public long parameterCount() {
        return loop.parameterCount();
    }

    @Override
    public synchronized void start() {
        if (pipeline != null) {
            throw new IllegalStateException("student trainer already started");
        }
        djl = DjlThreads.newScheduler("student");
        Map<TopicPartition, Long> resumeAt = Mono.fromCallable(this::prepare).subscribeOn(djl).block();
        admin = Admin.create(kafka.admin(STAGE));
        Topic input = config.mode() == StudentConfig.Mode.DISTILL ? Topic.ANNOTATED : Topic.AUGMENTED;
        TopicAdmin.ensureTopics(admin, kafka, input, Topic.DEAD_LETTER);
        sender = new KafkaSender<>(kafka.producer(STAGE), new StringSerializer(), new ByteArraySerializer())
                .bindMetrics(registry);
        lag = new ConsumerLag(admin, kafka.topic(input), kafka.group(STAGE), registry, ConsumerLag.EVERY);
        deadLetters = new DeadLetters(sender, kafka.topic(Topic.DEAD_LETTER), STAGE, registry);
        KafkaReceiver<String, byte[]> receiver = new KafkaReceiver<>(kafka.consumer(kafka.group(STAGE), STAGE),
                List.of(kafka.topic(input)), new StringDeserializer(), new ByteArrayDeserializer(),
                Duration.ofMillis(200), 8).withStartOffsets(resumeAt).withMetrics(registry, STAGE);
        decodeScheduler = Schedulers.newSingle("kds-student-decode", true);
        renderer = new BatchRenderer(renderThreads);
        // Reactor replenishes a prefetch of N after N - N/4 items: with 2 the DJL thread emptied its queue before
        // asking the decoder for more and then waited for two decodes (measured as input wait); with 4 it asks
        // for 3 while one decoded batch is still queued
        pipeline = receiver.receive()
                .publishOn(decodeScheduler, 4)
                .map(this::decode)
                .concatMap(d -> Mono.defer(() -> timed(d)).subscribeOn(djl), 4)
                .subscribe(v -> { }, this::failed);
        if (config.epochs() > 0 && epochsCompleted >= config.epochs()) {
            LOG.info("student: this run is complete ({} of {} epochs; final model in {}): nothing to train. A new "
                    + "run needs another pipeline.run", epochsCompleted, config.epochs(), config.out().resolve("model"));
            progress.finish();
            done.tryEmitEmpty();
        }
        LOG.info("student {} ({} parameters), mode {}, on {} device(s) ({}), reading {}", config.spec().describe(),
                loop.parameterCount(), config.mode().name().toLowerCase(java.util.Locale.ROOT), loop.deviceCount(),
                config.device(), kafka.topic(input));
    }

    /** On the DJL thread: builds or restores the student and loads the evaluation data. */
    private Map<TopicPartition, Long> prepare() {
        loop = new StudentLoop(config.spec(), config.options(), Models.devices(config.device()));
        Map<TopicPartition, Long> resumeAt = Map.of();
        if (config.resume()) {
            var latest = checkpoints.latest();
            if (latest.isPresent()) {
                Checkpoints.State st = checkpoints.restore(latest.get(), loop);
                resumeAt = st.offsets();
                offsets.putAll(st.offsets());
                trained.addAll(st.trained());
                st.markers().forEach((e, parts) -> markers.put(e, new HashSet<>(parts)));
                epochsCompleted = st.epochsCompleted();
                synchronized (teacherBatches) {
                    teacherBatches.putAll(st.teacherBatches());
                }
                LOG.info("student: resumed from {} at step {}, {} epoch(s) done", latest.get(), st.step(),
                        st.epochsCompleted());
            }
        }
        Dataset test = config.dataset().open(false);
        testSplit = Evaluation.load(test, config.spec().size(), 500);
        if (config.evalTeacher().isPresent()) {
            try (Network t = Network.load(config.evalTeacher().get(), Models.devices(config.device()).get(0))) {
                teacherTestLogits = Evaluation.logits(t, Evaluation.load(test, t.spec().size(), 500));
            }
        }
        progress.total(config.epochs() == 0 ? -1 : (long) config.epochs() * config.dataset().open(true).size());
        return resumeAt;
    }

    /**
     * A consumed record decoded off the DJL thread: a marker, a batch (with teacher logits when distilling), or the
     * reason it must be dead-lettered.
     */
    private record Decoded(ReceivedRecord<String, byte[]> rec, EpochEnd marker, AugmentedBatch batch,
                           float[] teacherLogits, String teacher, boolean expected, DeadLetters.Reason reason,
                           String error) {
        static Decoded bad(ReceivedRecord<String, byte[]> rec, DeadLetters.Reason reason, String error) {
            return new Decoded(rec, null, null, null, null, true, reason, error);
        }
    }

    /** Runs on the decode thread, ahead of training: parsing, checksums, shape and content checks. */
    private Decoded decode(ReceivedRecord<String, byte[]> rec) {
        try {
            Frame f = FrameCodec.decode(rec.value());
            if (f.kind() == RecordKind.EPOCH_END) {
                return new Decoded(rec, EpochEnd.fromFrame(f), null, null, null, true, null, null);
            }
            RecordKind expected = config.mode() == StudentConfig.Mode.DISTILL ? RecordKind.ANNOTATED_BATCH
                    : RecordKind.AUGMENTED_BATCH;
            if (f.kind() != expected) {
                return Decoded.bad(rec, DeadLetters.Reason.BAD_RECORD, "unexpected " + f.kind() + " record; the "
                        + "student in " + config.mode() + " mode trains on " + expected);
            }
            AugmentedBatch batch;
            float[] logits = null;
            String teacher = null;
            boolean expectedTeacher = true;
            if (expected == RecordKind.ANNOTATED_BATCH) {
                AnnotatedBatch a = AnnotatedBatch.fromFrame(f);
                batch = a.batch();
                logits = a.teacherLogits();
                teacher = a.teacherId() + "@" + a.teacherVersion();
                if (!config.teachers().weights().isEmpty() && !a.memberIds().isEmpty()) {
                    try { // the student's own weighting of the ensemble's members
                        logits = config.teachers().weigh(a.memberIds(), a.memberLogits(), a.batch().size(),
                                a.batch().numClasses(), config.options().temperature());
                    } catch (IllegalArgumentException e) {
                        return Decoded.bad(rec, DeadLetters.Reason.BAD_CONTENT, "batch " + a.batch().key() + ": "
                                + e.getMessage() + "; name them in student.teacher-weights");
                    }
                }
                expectedTeacher = config.teachers().expects(a.teacherId(), a.teacherVersion());
                if (!allFinite(logits)) {
                    return Decoded.bad(rec, DeadLetters.Reason.BAD_CONTENT, "batch " + batch.key() + " carries NaN "
                            + "or infinite teacher logits from " + teacher + "; check that teacher");
                }
            } else {
                batch = AugmentedBatch.fromFrame(f);
            }
            if (batch.numClasses() != config.spec().classes()) {
                return Decoded.bad(rec, DeadLetters.Reason.BAD_CONTENT, "batch " + batch.key() + " has "
                        + batch.numClasses() + " classes, the student " + config.spec().classes());
            }
            if (batch.hasRecipe()) { // view records: render the student's view (checked against the teacher's)
                batch = renderer.renderStudent(batch);
            }
            return new Decoded(rec, null, batch, logits, teacher, expectedTeacher, null, null);
        } catch (RenderException e) {
            return Decoded.bad(rec, DeadLetters.Reason.BAD_CONTENT, e.getMessage());
        } catch (WireFormatException e) {
            return Decoded.bad(rec, DeadLetters.Reason.BAD_RECORD, e.getMessage());
        }
    }

    /** {@link #handle} with the DJL thread's working time told apart from its waiting for input. */
    private Mono<Void> timed(Decoded d) {
        inputWait.begin();
        try {
            return handle(d);
        } finally {
            inputWait.end();
        }
    }

    /** Runs on the DJL thread, in partition order: de-duplication, epochs, training. */
    private Mono<Void> handle(Decoded d) {
        ReceivedRecord<String, byte[]> rec = d.rec();
        if (d.reason() != null) {
            return deadLetter(rec, d.reason(), d.error());
        }
        if (d.marker() != null) {
            EpochEnd end = d.marker();
            done(rec);
            if (end.epoch() < epochsCompleted) { // delivered again (a restarted upstream stage): that epoch has ended
                LOG.debug("student: end-of-epoch marker {} again; epoch {} has ended", rec.key(), end.epoch() + 1);
                return Mono.empty();
            }
            Set<Integer> seen = markers.computeIfAbsent(end.epoch(), e -> new HashSet<>());
            seen.add(end.partition());
            if (seen.size() >= end.partitions()) {
                markers.remove(end.epoch());
                endOfEpoch(end.epoch(), end.last());
            }
            return Mono.empty();
        }
        if (trained.contains(d.batch().key())) {
            duplicates++;
            metrics.duplicate();
            done(rec);
            return Mono.empty();
        }
        if (!d.expected()) {
            TeacherPolicy.Action action = config.teachers().action();
            metrics.unexpectedTeacher(d.teacher(), action);
            String why = "batch " + d.batch().key() + " was annotated by teacher " + d.teacher() + ", which "
                    + "student.expect-teachers=" + String.join(",", config.teachers().expected()) + " does not list";
            switch (action) {
                case FAIL -> {
                    return Mono.error(new IllegalStateException(why + " (student.unexpected-teacher=fail); stop "
                            + "that teacher or add it to student.expect-teachers"));
                }
                case DEAD_LETTER -> {
                    return deadLetter(rec, DeadLetters.Reason.UNEXPECTED_TEACHER, why + "; not trained "
                            + "(student.unexpected-teacher=dead-letter)");
                }
                case TRAIN -> LOG.warn("student: {}; training on it (student.unexpected-teacher=train)", why);
                default -> throw new IllegalStateException(action.name());
            }
        }
        train(d.batch(), d.teacherLogits(), d.teacher());
        done(rec);
        return Mono.empty();
    }

    private void train(AugmentedBatch batch, float[] teacherLogits, String teacher) {
        StudentLoop.StepResult r = config.mode() == StudentConfig.Mode.DLB ? dlb.step(loop, batch)
                : loop.step(batch.trainingView(), batch.targets(), teacherLogits);
        synchronized (trained) {
            trained.add(batch.key());
        }
        if (teacher != null) {
            synchronized (teacherBatches) {
                teacherBatches.merge(teacher, 1L, Long::sum);
            }
            if (announcedTeachers.add(teacher)) { // per process: a resumed run announces its teachers again
                LOG.info("student: first batch from teacher {} ({})", teacher, batch.key());
            }
            synchronized (trainedBy) {
                trainedBy.put(batch.key(), teacher);
            }
            metrics.teacherBatch(teacher);
        }
        metrics.step(r, batch);
        throughput.record(batch.size());
        progress.add(batch.size());
        progress.status(String.format(java.util.Locale.ROOT, "epoch %d/%s loss %.3f", batch.epoch() + 1,
                config.epochs() == 0 ? "inf" : Integer.toString(config.epochs()), r.loss()));
    }

    private void done(ReceivedRecord<String, byte[]> rec) {
        offsets.put(rec.topicPartition(), rec.record().offset() + 1);
        rec.acknowledge();
    }

    private Mono<Void> deadLetter(ReceivedRecord<String, byte[]> rec, DeadLetters.Reason reason, String message) {
        return deadLetters.publish(reason, rec.coordinates(), rec.key(), rec.value(), message)
                .publishOn(djl)
                .doOnSuccess(v -> done(rec));
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    private void endOfEpoch(int epoch, boolean last) {
        epochsCompleted = Math.max(epochsCompleted, epoch + 1);
        if (epochsCompleted % config.evalEvery() == 0 || last) {
            EvalResult e = evaluate(epochsCompleted);
            history.add(e);
            metrics.evaluated(e);
            LOG.info("student: epoch {}: {}", epochsCompleted, describe(e));
        }
        Map<Integer, Set<Integer>> pending = new HashMap<>();
        markers.forEach((e, parts) -> pending.put(e, Set.copyOf(parts)));
        java.nio.file.Path saved = checkpoints.save(loop, new Checkpoints.State(loop.steps(), epochsCompleted,
                Map.copyOf(offsets), new LinkedHashSet<>(trained), pending, teacherBatches()));
        LOG.debug("checkpoint {}", saved);
        if (last) {
            EvalResult e = history.isEmpty() ? evaluate(epochsCompleted) : history.get(history.size() - 1);
            Map<String, String> info = new TreeMap<>();
            info.put("top1", String.format(java.util.Locale.ROOT, "%.4f", e.studentTop1()));
            info.put("epochs", Integer.toString(epochsCompleted));
            info.put("steps", Long.toString(loop.steps()));
            info.put("mode", config.mode().name().toLowerCase(java.util.Locale.ROOT));
            info.put("version", "1");
            loop.saveModel(config.out().resolve("model"), info);
            writeSummary(e);
            LOG.info("student: final model in {}", config.out().resolve("model"));
            progress.finish();
            done.tryEmitEmpty();
        }
    }

    /**
     * Writes what the run did next to the final model: {@code summary.properties} (steps, batches trained, duplicates
     * skipped, batches per teacher version, the last evaluation) and {@code trained-batches.txt} (every batch id the
     * final model was trained on, in order; after a resume, those restored from the checkpoint first). Tools such as
     * {@code kdstream faults} audit runs with them.
     */
    private void writeSummary(EvalResult e) {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("steps", Long.toString(loop.steps()));
        p.setProperty("batches.trained", Integer.toString(trained.size()));
        p.setProperty("duplicates.skipped", Long.toString(duplicates));
        p.setProperty("epochs", Integer.toString(epochsCompleted));
        p.setProperty("top1", String.format(java.util.Locale.ROOT, "%.4f", e.studentTop1()));
        if (!Double.isNaN(e.agreement())) {
            p.setProperty("agreement", String.format(java.util.Locale.ROOT, "%.4f", e.agreement()));
        }
        teacherBatches().forEach((t, n) -> p.setProperty("teacher." + t, Long.toString(n)));
        try {
            java.nio.file.Files.createDirectories(config.out());
            try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(config.out().resolve("summary.properties"))) {
                p.store(w, "kdstream student run summary");
            }
            java.nio.file.Files.write(config.out().resolve("trained-batches.txt"), trainedBatchesInOrder());
        } catch (java.io.IOException ex) {
            LOG.warn("student: cannot write the run summary in {}: {}", config.out(), ex.toString());
        }
    }

    private List<String> trainedBatchesInOrder() {
        synchronized (trained) {
            return new ArrayList<>(trained);
        }
    }

    private EvalResult evaluate(int epoch) {
        float[] student = Evaluation.logits(loop, testSplit);
        int k = config.spec().classes();
        double top1 = Evaluation.top1(student, testSplit.labels(), k);
        if (teacherTestLogits == null) {
            return new EvalResult(epoch, top1, Double.NaN, Double.NaN, Double.NaN);
        }
        return new EvalResult(epoch, top1, Evaluation.top1(teacherTestLogits, testSplit.labels(), k),
                Evaluation.agreement(teacherTestLogits, student, k), Evaluation.kl(teacherTestLogits, student, k, 1));
    }

    /** One line for a result. */
    public static String describe(EvalResult e) {
        String s = String.format(java.util.Locale.ROOT, "student top-1 %.2f%%", 100 * e.studentTop1());
        if (!Double.isNaN(e.teacherTop1())) {
            s += String.format(java.util.Locale.ROOT, ", teacher top-1 %.2f%%, agreement %.2f%%, KL %.4f",
                    100 * e.teacherTop1(), 100 * e.agreement(), e.kl());
        }
        return s;
    }

    private void failed(Throwable t) {
        LOG.error("student trainer failed: {}", t.toString());
        done.tryEmitError(t);
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
        lag.close();
        admin.close(Duration.ofSeconds(5));
        Mono.fromRunnable(loop::close).subscribeOn(djl).block(Duration.ofSeconds(30));
        djl.dispose();
        decodeScheduler.dispose();
        renderer.close();
        done.tryEmitEmpty();
    }
}
