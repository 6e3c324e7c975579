package io.kdstream.app;

import io.kdstream.augmenter.Augmenter;
import io.kdstream.augmenter.AugmenterConfig;
import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.Progress;
import io.kdstream.core.Service;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.loader.Loader;
import io.kdstream.loader.LoaderConfig;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.models.LoadedModel;
import io.kdstream.models.Models;
import io.kdstream.models.SavedModel;
import io.kdstream.models.TorchScriptModel;
import io.kdstream.student.EvalResult;
import io.kdstream.student.StudentConfig;
import io.kdstream.student.StudentTrainer;
import io.kdstream.teacher.FeedBound;
import io.kdstream.teacher.TeacherConfig;
import io.kdstream.teacher.TeacherService;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import reactor.core.scheduler.Scheduler;

/**
 * The one-machine distillation run behind {@code kdstream demo}: an embedded broker, then (only when the teacher
 * model is missing) a supervised run that trains the teacher through loader -> augmenter -> trainer, then the
 * distillation run loader -> augmenter -> teacher service -> student trainer, with a progress line per stage and a
 * summary.
 */
public final class Demo {
    /** The shipped teacher, under the installation directory ({@code -Dkdstream.home}, else the working directory). */
    public static final Path SHIPPED_TEACHER = Path.of(System.getProperty("kdstream.home", "."))
            .resolve("teachers/fashion-cnn32");

    /** Defaults of the full demo on Fashion-MNIST; flags and KDS_ variables override them. */
    public static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("kafka.partitions", "2"),
            Map.entry("augment.crop-scale-min", "0.35"),
            Map.entry("augment.mix", "mixup"),
            Map.entry("pipeline.epochs", "5"),
            Map.entry("pipeline.batch-size", "128"),
            Map.entry("student.width", "8"),
            Map.entry("student.depth", "1"),
            Map.entry("student.lr", "4e-3"),
            Map.entry("student.resume", "false"),
            Map.entry("teacher.model", SHIPPED_TEACHER.toString()));

    /** The smoke variant: the shipped 400-image subset, tiny models, a teacher trained on the spot. */
    public static Map<String, String> smokeDefaults(Path testdata, Path out) {
        return Map.ofEntries(
                Map.entry("dataset.path", testdata.resolve("fashion-mnist-mini").toString()),
                Map.entry("pipeline.epochs", "8"),
                Map.entry("pipeline.batch-size", "32"),
                Map.entry("student.width", "8"),
                Map.entry("student.lr", "1e-2"),
                Map.entry("demo.teacher-width", "16"),
                Map.entry("demo.teacher-depth", "1"),
                Map.entry("demo.teacher-epochs", "15"),
                Map.entry("demo.teacher-lr", "1e-2"),
                Map.entry("teacher.model", out.resolve("teacher").toString()),
                Map.entry("student.out", out.resolve("student").toString()));
    }

    /** What a run measured. */
    public record Result(String teacher, long teacherParams, double teacherTop1, String student, long studentParams,
                  double studentTop1, double agreement, double kl, Map<String, Double> imagesPerSecond, Duration wall,
                  Set<String> produced, Set<String> trained, long duplicates, Path studentModel,
                  List<EvalResult> history) {
        /** Produced batches never trained. */
        long missing() {
            Set<String> m = new HashSet<>(produced);
            m.removeAll(trained);
            return m.size();
        }
    }

    private final Settings settings;
    private final PrintStream out;
    private final Scheduler ticker;
    private final Supplier<MeterRegistry> registries;

    /**
     * @param registries a fresh registry per phase: each phase's services register the same meter names
     */
    public Demo(Settings settings, PrintStream out, Scheduler ticker, Supplier<MeterRegistry> registries) {
        this.settings = settings;
        this.out = out;
        this.ticker = ticker;
        this.registries = registries;
    }

    /** A timestamped directory under runs/. */
    public static Path runDir(String name) {
        return Path.of("runs", name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /**
     * Runs the demo: reads every setting first (so a typo fails before anything starts), trains the teacher when it
     * is missing, then distils.
     *
     * @param teacherOnly stop after making sure the teacher exists ({@code kdstream train-teacher})
     */
    public Result run(boolean teacherOnly) {
        long t0 = System.nanoTime();
        Settings s = settings;
        KafkaSettings kafka = KafkaSettings.from(s);
        DatasetSpec dataset = DatasetSpec.from(s);
        Dataset train = dataset.open(true);
        Path teacherPath = s.path(Keys.TEACHER_MODEL).orElseThrow();
        boolean userTeacher = s.given(Keys.TEACHER_MODEL);
        int teacherEpochs = s.integer(Keys.DEMO_TEACHER_EPOCHS);
        Path studentOut = s.has(Keys.STUDENT_OUT) ? s.path(Keys.STUDENT_OUT).orElseThrow()
                : runDir("demo").resolve("student");
        // the teacher is trained by the demo's own recipe whatever preset the student uses
        Settings teacherRun = s.overriding(Map.ofEntries(
                Map.entry("pipeline.epochs", Integer.toString(teacherEpochs)),
                Map.entry("student.mode", "supervised"),
                Map.entry("student.arch", s.string(Keys.DEMO_TEACHER_ARCH)),
                Map.entry("student.tweaks", ""),
                Map.entry("student.label-smoothing", "0"),
                Map.entry("student.ce-weight", "1"),
                Map.entry("augment.dlb", "false"),
                Map.entry("student.width", Integer.toString(s.integer(Keys.DEMO_TEACHER_WIDTH))),
                Map.entry("student.depth", Integer.toString(s.integer(Keys.DEMO_TEACHER_DEPTH))),
                Map.entry("student.lr", s.string(Keys.DEMO_TEACHER_LR)),
                Map.entry("student.lr-per-256", ""),
                // the teacher learns at the teacher's resolution (e.g. 56 px while the student sees 28 px)
                Map.entry("view.student-size", Integer.toString(s.integer(Keys.VIEW_TEACHER_SIZE))),
                Map.entry("student.size", Integer.toString(s.integer(Keys.VIEW_TEACHER_SIZE))),
                Map.entry("student.out", teacherPath.resolveSibling(teacherPath.getFileName() + "-run").toString()),
                Map.entry("student.resume", "false"),
                Map.entry("student.record", ""), // recordings and replays are the student phase's
                Map.entry("student.replay", ""),
                Map.entry("kafka.topic-prefix", kafka.topicPrefix() + "teacher-train.")));
        Phase teacherPhase = new Phase(teacherRun, train, false);
        Settings distillRun = s.overriding(Map.of("student.eval-teacher", teacherPath.toString(),
                "student.out", studentOut.toString()));
        // the student phase distils unless the settings (--preset=supervised, --preset=dlb) ask for a mode without a
        // teacher, which then runs without the teacher service but is still compared with the teacher at evaluation
        boolean distill = s.string(Keys.STUDENT_MODE).equalsIgnoreCase("distill");
        Phase distillPhase = new Phase(distillRun, train, distill);
        s.markUsed(teacherRun);
        s.markUsed(distillRun);
        s.requireAllUsed();

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.forTests())) {
            if (Files.isRegularFile(teacherPath)) {
                out.println("demo: distilling from the TorchScript teacher " + teacherPath.getFileName() + " ("
                        + teacherPath + "; its input from teacher.size, teacher.mean, teacher.std)");
            } else if (!Files.exists(teacherPath.resolve(SavedModel.PROPERTIES))) {
                if (userTeacher && !teacherOnly) { // a path the user gave is used or refused, never trained silently
                    throw new ConfigException("setting teacher.model=" + teacherPath + " is "
                            + (Files.exists(teacherPath) ? "a directory without a kdstream model (no "
                            + SavedModel.PROPERTIES + ")" : "not there") + "; point it at a kdstream model directory "
                            + "or a TorchScript .pt file, or train one there first: ./kdstream train-teacher "
                            + "--teacher.model=" + teacherPath);
                }
                out.println("demo: no teacher at " + teacherPath + "; training one (" + teacherEpochs + " epochs, "
                        + "supervised) first");
                PhaseResult r = teacherPhase.run(broker.bootstrapServers());
                copyModel(teacherRun.path(Keys.STUDENT_OUT).orElseThrow().resolve("model"), teacherPath);
                List<EvalResult> h = r.student().history();
                out.println("demo: teacher saved to " + teacherPath + " (" + h.get(h.size() - 1).describe()
                        + ")");
            } else {
                out.println("demo: using the teacher in " + teacherPath);
            }
            if (teacherOnly) {
                return null;
            }
            PhaseResult r = distillPhase.run(broker.bootstrapServers());
            EvalResult last = r.student().history().get(r.student().history().size() - 1);
            long teacherParams;
            String teacherDesc;
            try (LoadedModel t = LoadedModel.open(teacherPath, TorchScriptModel.Input.from(s), Models.device("cpu"),
                    Keys.TEACHER_MODEL.name())) {
                teacherParams = t.parameterCount();
                teacherDesc = t.describe();
            }
            return new Result(teacherDesc, teacherParams, last.teacherTop1(), distillPhase.student.spec().describe(),
                    r.student().parameterCount(), last.studentTop1(), last.agreement(), last.kl(), r.rates(),
                    Duration.ofNanos(System.nanoTime() - t0), r.produced(), r.student().trainedBatches(),
                    r.student().duplicatesSkipped(), studentOut.resolve("model"), r.student().history());
        }
    }

    private static void copyModel(Path from, Path to) {
        try {
            Files.createDirectories(to);
            for (String f : List.of(SavedModel.PARAMS, SavedModel.PROPERTIES)) {
                Files.copy(from.resolve(f), to.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the teacher to " + to + ": " + e.getMessage(), e);
        }
    }

    private record PhaseResult(StudentTrainer student, Map<String, Double> rates, Set<String> produced) {
    }

    /** One pipeline run on the broker: its configs are read when the phase is built. */
    private final class Phase {
        private final KafkaSettings kafka;
        private final LoaderConfig loader;
        private final AugmenterConfig augmenter;
        private final TeacherConfig teacher;
        private final FeedBound teacherBound;
        private final StudentConfig student;

        Phase(Settings s, Dataset train, boolean distill) {
            kafka = KafkaSettings.from(s);
            String downstream = kafka.group(distill ? TeacherService.STAGE : StudentTrainer.STAGE);
            loader = LoaderConfig.from(s, List.of(kafka.group(Augmenter.STAGE)));
            augmenter = AugmenterConfig.from(s, List.of(downstream));
            teacher = distill ? TeacherConfig.from(s) : null;
            teacherBound = distill ? FeedBound.from(s, kafka) : null;
            student = StudentConfig.from(s, train.size(), train.numClasses(), train.channels(), kafka.partitions());
        }

        PhaseResult run(String bootstrap) {
            KafkaSettings k = kafka.withBootstrap(bootstrap);
            MeterRegistry registry = registries.get();
            List<Service> services = new ArrayList<>();
            StudentTrainer trainer = new StudentTrainer(student, k, registry);
            Optional<Path> replay = student.replay().from();
            if (replay.isPresent()) { // the student alone, on a recording: no loader, augmenter or teacher
                out.println("demo: training on the recording " + replay.get() + " (no loader, augmenter or teacher)");
                LocalRun.run(List.of(trainer), ticker);
                return new PhaseResult(trainer, Map.of(trainer.name(), trainer.progress().meanRate()),
                        trainer.trainedBatches());
            }
            services.add(new Loader(loader, k, registry));
            services.add(new Augmenter(augmenter, k, registry));
            if (teacher != null) {
                services.add(new TeacherService(teacher, k, registry, teacherBound));
            }
            services.add(trainer);
            LocalRun.run(services, ticker);
            Map<String, Double> rates = new LinkedHashMap<>();
            services.forEach(svc -> rates.put(svc.name(), svc.progress().meanRate()));
            return new PhaseResult(trainer, rates, producedBatches(k));
        }
    }

    /** Ids of every batch the augmenter published in a run, read back from its topic. */
    public static Set<String> producedBatches(KafkaSettings kafka) {
        Set<String> keys = new HashSet<>();
        TopicReader.forEachBatch(kafka, Topic.AUGMENTED, r -> keys.add(r.key()));
        return keys;
    }

    /** The summary table. */
    static void print(Result r, PrintStream out) {
        out.println();
        out.println("| demo summary | |");
        out.println("|---|---|");
        out.printf(Locale.ROOT, "| teacher | %s, %,d parameters: top-1 %.2f%% |%n", r.teacher(), r.teacherParams(),
                100 * r.teacherTop1());
        out.printf(Locale.ROOT, "| student | %s, %,d parameters: top-1 %.2f%% |%n", r.student(), r.studentParams(),
                100 * r.studentTop1());
        out.printf(Locale.ROOT, "| student-teacher agreement | %.2f%% (KL %.4f) |%n", 100 * r.agreement(), r.kl());
        r.imagesPerSecond().forEach((stage, rate) -> out.printf(Locale.ROOT, "| %s images/s (mean over the run) | %.0f |%n",
                stage, rate));
        out.printf(Locale.ROOT, "| batches produced / trained / duplicates skipped / never trained | %d / %d / %d / %d |%n",
                r.produced().size(), r.trained().size(), r.duplicates(), r.missing());
        out.printf(Locale.ROOT, "| wall time | %s |%n", Progress.clock(r.wall().toSeconds()));
        out.printf("| student model | %s |%n", r.studentModel());
    }
}
