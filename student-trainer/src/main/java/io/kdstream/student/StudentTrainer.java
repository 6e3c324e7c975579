package io.kdstream.student;

import io.kdstream.core.InputWait;
import io.kdstream.core.Progress;
import io.kdstream.core.RateWindow;
import io.kdstream.core.Service;
import io.kdstream.core.config.Settings;
import io.kdstream.core.image.BatchRenderer;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.EpochEnd;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.models.Models;
import io.kdstream.student.train.LrSchedule;
import io.kdstream.student.train.StudentLoop;
import io.kdstream.tuning.DjlThreads;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The student stage: consumes annotated batches (or augmented ones in supervised mode) in partition order, from the
 * broker or from a recording ({@link StudentInput}), skips any batch id it has trained already, hands each batch to
 * the {@link StudentLoop} on the service's own DJL thread, and at the end of every epoch (one EPOCH_END per source
 * partition) evaluates and writes a checkpoint with the offsets to resume from. After the last epoch it saves the
 * final model, which a teacher service can load. Metrics go through {@link StudentMetrics}; divergences through
 * {@link DivergenceResponse}.
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
    private final TrainingLedger ledger;
    private final List<EvalResult> history = Collections.synchronizedList(new ArrayList<>());
    private final RateWindow throughput = new RateWindow();
    private final InputWait inputWait;
    private final LastBatchTargets dlb;
    private final DivergenceResponse divergence;
    private long lastCheckpointStep;
    private long lastCheckpointNanos = System.nanoTime();
    private StudentLoop loop;
    private StudentEvaluator evaluator;
    private StudentInput input;
    private final int renderThreads;
    private Scheduler djl;
    private Scheduler decodeScheduler;
    private BatchRenderer renderer;
    private Disposable pipeline;
    private boolean stopped;
    private volatile boolean finished;

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
        this.metrics = new StudentMetrics(registry, config.options().clipNorm());
        this.inputWait = new InputWait(registry, STAGE);
        this.checkpoints = new Checkpoints(config.out());
        this.dlb = new LastBatchTargets(config.options().temperature(), config.spec().classes());
        this.ledger = new TrainingLedger(config.epochs() > 0, config.out(), config.replay().record()
                .map(f -> new Recording.Writer(f, () -> Recording.Header.of(config.dataset().open(true))))
                .orElse(null));
        metrics.bind(ledger);
        this.divergence = new DivergenceResponse(config.divergence(), checkpoints, metrics);
    }

    /** Builds a trainer from settings (the factory of {@code kdstream run student}). */
    public static StudentTrainer fromSettings(Settings s, MeterRegistry registry) {
        KafkaSettings kafka = KafkaSettings.from(s);
        Dataset train = io.kdstream.loader.dataset.DatasetSpec.from(s).open(true);
        return new StudentTrainer(StudentConfig.from(s, train.size(), train.numClasses(), train.channels(),
                kafka.partitions()), kafka, registry, BatchRenderer.threads(s));
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
        return ledger.trainedSet();
    }

    /** Batches skipped because their id had been trained already. */
    public long duplicatesSkipped() {
        return ledger.duplicates();
    }

    /** Batches trained per teacher id and version ({@code id@version}) over the run, those before a resume included. */
    public Map<String, Long> teacherBatches() {
        return ledger.teacherBatches();
    }

    /**
     * For every batch trained on teacher logits, in training order: its id and the teacher ({@code id@version})
     * that annotated it.
     */
    public Map<String, String> trainedBy() {
        return ledger.trainedBy();
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

    /** Optimizer steps taken (after start; those before a resume included). */
    public long steps() {
        return loop.steps();
    }

    /** The learning-rate schedule: {@code totalSteps()} is the step it ends at, the run's last. */
    public LrSchedule schedule() {
        return config.options().schedule();
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
        input = StudentInput.open(config, kafka, registry, resumeAt);
        renderer = new BatchRenderer(renderThreads);
        BatchDecoder decoder = new BatchDecoder(config, renderer, input.source());
        decodeScheduler = Schedulers.newSingle("kds-student-decode", true);
        // Reactor replenishes a prefetch of N after N - N/4 items: with 2 the DJL thread emptied its queue before
        // asking the decoder for more and then waited for two decodes (measured as input wait); with 4 it asks
        // for 3 while one decoded batch is still queued
        pipeline = input.records()
                .publishOn(decodeScheduler, 4)
                .map(decoder::decode)
                .concatMap(d -> Mono.defer(() -> timed(d)).subscribeOn(djl), 4)
                .subscribe(v -> { }, this::failed, this::recordingEnded);
        if (config.epochs() > 0 && ledger.epochsCompleted() >= config.epochs()) {
            LOG.info("student: this run is complete ({} of {} epochs; final model in {}): nothing to train. A new "
                    + "run needs another pipeline.run", ledger.epochsCompleted(), config.epochs(),
                    config.out().resolve("model"));
            finished = true;
            progress.finish();
            done.tryEmitEmpty();
        }
        LOG.info("student {} ({} parameters), mode {}, on {} device(s) ({}), reading {}", config.spec().describe(),
                loop.parameterCount(), config.mode().name().toLowerCase(java.util.Locale.ROOT), loop.deviceCount(),
                config.device(), input.what());
    }

    /** On the DJL thread: builds or restores the student and loads the evaluation data. */
    private Map<TopicPartition, Long> prepare() {
        loop = new StudentLoop(config.spec(), config.options(), Models.devices(config.device()));
        Map<TopicPartition, Long> resumeAt = Map.of();
        Optional<Path> latest = config.resume() ? checkpoints.latest() : Optional.empty();
        if (latest.isEmpty()) {
            checkpoints.clear(); // another run's, when student.resume=false reuses its directory
            ledger.begin();
            if (divergence.wantsInitialCheckpoint()) {
                checkpoint();
            }
        } else {
            Checkpoints.State st = checkpoints.restore(latest.get(), loop);
            resumeAt = st.offsets();
            ledger.restore(st);
            lastCheckpointStep = st.step();
            LOG.info("student: resumed from {} at step {}, {} epoch(s) done", latest.get(), st.step(),
                    st.epochsCompleted());
            divergence.resumed();
        }
        evaluator = new StudentEvaluator(config.dataset().openEvaluation(), config.spec().size(), config.spec().classes(),
                config.evalTeacher(), Models.devices(config.device()).get(0));
        progress.total(config.epochs() == 0 ? -1 : (long) config.epochs() * config.dataset().open(true).size());
        return resumeAt;
    }

    /** {@link #handle} with the DJL thread's working time told apart from its waiting for input. */
    private Mono<Void> timed(BatchDecoder.Decoded d) {
        inputWait.begin();
        try {
            return handle(d);
        } finally {
            inputWait.end();
        }
    }

    /** Runs on the DJL thread, in partition order: de-duplication, epochs, training. */
    private Mono<Void> handle(BatchDecoder.Decoded d) {
        ReceivedRecord<String, byte[]> rec = d.rec();
        if (d.reason() != null) {
            return deadLetter(rec, d.reason(), d.error());
        }
        if (d.marker() != null) {
            EpochEnd end = d.marker();
            ledger.record(rec.key(), d.frame());
            done(rec);
            if (ledger.marker(end.epoch(), end.partition(), end.partitions())) {
                endOfEpoch(end.last());
            }
            return Mono.empty();
        }
        if (ledger.duplicate(d.batch())) {
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
        ledger.record(rec.key(), d.frame());
        done(rec);
        if (config.checkpointing().due(loop.steps() - lastCheckpointStep, System.nanoTime() - lastCheckpointNanos)) {
            checkpoint(); // mid-epoch: offsets, trained ids and markers in step with the weights
        }
        return Mono.empty();
    }

    private void train(AugmentedBatch batch, float[] teacherLogits, String teacher) {
        StudentLoop.StepResult r = config.mode() == StudentConfig.Mode.DLB ? dlb.step(loop, batch)
                : loop.step(batch.trainingView(), batch.targets(), teacherLogits);
        if (ledger.trained(batch, teacher)) {
            LOG.info("student: first batch from teacher {} ({})", teacher, batch.key());
        }
        if (teacher != null) {
            metrics.teacherBatch(teacher);
        }
        metrics.step(r, batch);
        if (LOG.isTraceEnabled()) { // for comparing two runs step by step: what went in and what came out, bit for bit
            LOG.trace("student: step {} batch {} view {} targets {} teacher {} loss {}", loop.steps(), batch.key(),
                    crc(batch.trainingView().pixels()), crc(batch.targets()), crc(teacherLogits),
                    Integer.toHexString(Float.floatToRawIntBits(r.loss())));
        }
        divergence.step(loop, r);
        throughput.record(batch.size());
        progress.add(batch.size());
        progress.status(String.format(java.util.Locale.ROOT, "epoch %d/%s loss %.3f", batch.epoch() + 1,
                config.epochs() == 0 ? "inf" : Integer.toString(config.epochs()), r.loss()));
    }

    /** The wire's CRC-32C ({@link AugmentedBatch#crc32c}) of float values, for the per-step trace. */
    private static String crc(float[] values) {
        return values == null ? "-" : Long.toHexString(AugmentedBatch.crc32c(
                io.kdstream.core.wire.Tensor.ofFloats("trace", new int[] {values.length}, values)));
    }

    private void done(ReceivedRecord<String, byte[]> rec) {
        ledger.consumed(rec);
        rec.acknowledge();
    }

    private Mono<Void> deadLetter(ReceivedRecord<String, byte[]> rec, DeadLetters.Reason reason, String message) {
        if (input.deadLetters() == null) { // a replay: the recording is damaged, or replayed with another dataset
            return Mono.error(new IllegalStateException("student.replay=" + config.replay().from().orElse(null)
                    + ", entry " + rec.record().offset() + ": " + message));
        }
        return input.deadLetters().publish(reason, rec.coordinates(), rec.key(), rec.value(), message)
                .publishOn(djl)
                .doOnSuccess(v -> done(rec));
    }

    private void endOfEpoch(boolean last) {
        int epochs = ledger.epochsCompleted();
        EvalResult rolledBack = null;
        boolean best = false;
        if (epochs % config.evalEvery() == 0 || last) {
            EvalResult e = evaluator.evaluate(loop, epochs);
            history.add(e);
            metrics.evaluated(e);
            String gradients = metrics.gradientsSinceLast();
            LOG.info("student: epoch {}: {}{}", epochs, e.describe(), gradients.isEmpty() ? "" : "; " + gradients);
            if (divergence.evaluated(loop, epochs, e.studentTop1())) {
                rolledBack = evaluator.evaluate(loop, epochs);
                LOG.info("student: epoch {}, after the roll-back: {}", epochs, rolledBack.describe());
            } else {
                best = checkpoints.bestTop1().orElse(-1) < e.studentTop1();
            }
        }
        Path saved = checkpoint();
        if (best) {
            checkpoints.markBest(saved, history.get(history.size() - 1).studentTop1());
        }
        if (last) {
            EvalResult e = rolledBack != null ? rolledBack
                    : history.isEmpty() ? evaluator.evaluate(loop, epochs) : history.get(history.size() - 1);
            Map<String, String> info = new TreeMap<>();
            info.put("top1", String.format(java.util.Locale.ROOT, "%.4f", e.studentTop1()));
            info.put("epochs", Integer.toString(epochs));
            info.put("steps", Long.toString(loop.steps()));
            info.put("mode", config.mode().name().toLowerCase(java.util.Locale.ROOT));
            info.put("version", "1");
            loop.saveModel(config.out().resolve("model"), info);
            try {
                RunSummary.write(config.out(), ledger, loop.steps(), loop.rollbacks(), e);
            } catch (java.io.IOException ex) {
                LOG.warn("student: cannot write the run summary in {}: {}", config.out(), ex.toString());
            }
            LOG.info("student: final model in {}", config.out().resolve("model"));
            finished = true;
            progress.finish();
            done.tryEmitEmpty();
        }
    }

    private Path checkpoint() {
        Path saved = checkpoints.save(loop, ledger.state(loop.steps()));
        lastCheckpointStep = loop.steps();
        lastCheckpointNanos = System.nanoTime();
        LOG.debug("checkpoint {}", saved);
        return saved;
    }

    /** The end of a replayed recording: the run must have ended with it. */
    private void recordingEnded() {
        if (!finished) {
            failed(new IllegalStateException("the recording " + config.replay().from().orElse(null) + " ends before "
                    + "the run's last epoch: the recorded run did not finish (resume it to complete its recording)"));
        }
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
        input.close();
        try { // the ledger closes on the DJL thread, after its last step: nothing writes to it after it is closed
            Mono.fromRunnable(() -> {
                loop.close();
                ledger.close();
            }).subscribeOn(djl).block(Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
            LOG.warn("student: the training thread did not finish its last step within 30 s; stopping without it "
                    + "(the next start resumes from the last checkpoint)");
        }
        djl.dispose();
        decodeScheduler.dispose();
        renderer.close();
        done.tryEmitEmpty();
    }
}
