package io.kdstream.app;

import io.kdstream.app.bench.BenchImagesCommand;
import io.kdstream.app.bench.DataBench;
import io.kdstream.app.bench.ScaleBench;
import io.kdstream.app.bench.TrainBench;
import io.kdstream.app.lab.Experiment;
import io.kdstream.app.lab.FaultSuite;
import io.kdstream.augmenter.Augmenter;
import io.kdstream.core.cli.ServiceMain;
import io.kdstream.core.cli.Terminal;
import io.kdstream.core.config.ConfigException;
import io.kdstream.loader.Loader;
import io.kdstream.student.StudentTrainer;
import io.kdstream.teacher.TeacherService;
import io.kdstream.tuning.DataPathPriority;
import io.kdstream.tuning.EngineIsa;
import io.kdstream.tuning.EngineSpin;
import io.kdstream.tuning.EngineThreads;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The {@code kdstream} command: one entry point for every subcommand; each is a thin wrapper over a class. */
public final class Kdstream {
    private static final String USAGE = """
            usage: kdstream COMMAND [--key=value ...]

            commands:
              demo                distil a student from a teacher on Fashion-MNIST through an embedded broker
                                  (--smoke: the shipped 400-image subset and tiny models, under 2 minutes)
              train-teacher       train the demo's teacher (supervised) if teacher.model does not exist yet
              stream              embedded broker + loader + augmenter on Fashion-MNIST, with a progress line
              broker              run an embedded single-node Kafka broker (--broker.port, --broker.data-dir)
              run loader          run the loader against kafka.bootstrap
              run augmenter       run the augmenter against kafka.bootstrap
              run teacher         run the teacher service against kafka.bootstrap (--teacher.model)
              run student         run the student trainer against kafka.bootstrap
              teacher swap        order every teacher replica of the run to swap teacher (--to=MODEL), kept for
                                  replicas that start later; signed with admin.token
              audit               a finished run by batch id: produced, annotated, trained, lost, trained twice
              dataset prepare     copy a dataset (folder or .tar/.tar.gz/.zip archive, --dataset.source) to
                                  dataset.path and check that it reads (the compose cluster's dataset volume)
              bench data          loader -> augmenter throughput vs the broker's raw rate and, on image folders,
                                  the torchvision DataLoader reference, side by side
              bench images        writes an ImageNet-like folder of colour JPEGs (~400x350) for the 224 px benches
              bench train         student via Kafka vs from memory, teacher service vs raw forward (medians of
                                  --bench.repeats=N interleaved repetitions after a warm-up)
              bench scale         annotation throughput against 1, 2, 4, 8 teacher replicas (stand-ins with a
                                  fixed time per batch) feeding one student: efficiency, input wait, a PNG plot
              bench topk          top-K soft labels: bytes per image and KL to the full targets, per K
              experiment NAME     run a named comparison (consistency, recipes, dlb, results, baselines, sizes,
                                  kd-vs-labels): a Markdown table and a plot of test top-1 per epoch per arm
                                  (--smoke: tiny, --experiment.seeds=N)
              faults              fault-injection suite: SIGKILL student / teacher replica, slow teacher, broker restart, bad model,
                                  bad setting; audits lost and doubled batches by id (--faults.only=a,b)
              engine              the DL engine, the GPUs it sees, one test computation (--device=auto|cpu|gpu:N)
              settings            every setting of every command, with its default and meaning (Markdown)

            add --help after a command to list its settings with their defaults and meanings; every setting can
            also be given as KDS_<KEY> (e.g. --pipeline.epochs=3 or KDS_PIPELINE_EPOCHS=3). Every command also
            takes the engine.* settings (PyTorch's threads, OpenMP spinning, oneDNN's instruction set, the data
            path's scheduling).
            """;

    private Kdstream() {
    }

    public static void main(String[] args) {
        Terminal.install(); // on a terminal, log lines and progress blocks share it without overwriting each other
        int code = run(args, System.getenv());
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    static int run(String[] args, Map<String, String> env) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        EngineThreads.Taken threads;
        EngineSpin.Taken spin;
        DataPathPriority.Taken priority;
        try { // process settings: PyTorch reads its thread count and libgomp its spin once, when the engine loads
            int cores = Runtime.getRuntime().availableProcessors();
            threads = EngineThreads.take(Arrays.asList(args).subList(1, args.length), env, cores);
            spin = EngineSpin.take(threads.args(), threads.env(), threads.threads(), cores);
            EngineIsa.Taken isa = EngineIsa.take(spin.args(), spin.env());
            priority = DataPathPriority.take(isa.args(), isa.env());
        } catch (ConfigException e) {
            System.err.println("kdstream: " + e.getMessage());
            return 2;
        }
        try (DataPathPriority keeper = DataPathPriority.start(priority.mode())) {
            return dispatch(args[0], priority.args(), priority.env());
        }
    }

    private static int dispatch(String command, List<String> rest, Map<String, String> env) {
        if (rest.contains("--help")) { // the commands whose settings are the services' own
            String name = command;
            if (List.of("run", "bench", "teacher", "dataset").contains(command) && !rest.isEmpty()
                    && !rest.get(0).startsWith("--")) {
                name = command + " " + rest.get(0);
            }
            java.util.Optional<String> help = CommandHelp.of(name);
            if (help.isPresent()) {
                System.out.print(help.get());
                return 0;
            }
        }
        return switch (command) {
            case "demo" -> DemoCommand.run(rest, env, false);
            case "train-teacher" -> DemoCommand.run(rest, env, true);
            case "broker" -> BrokerCommand.run(rest, env);
            case "engine" -> EngineCommand.run(rest, env);
            case "faults" -> FaultSuite.run(rest, env);
            case "experiment" -> Experiment.run(rest, env);
            case "stream" -> StreamCommand.run(rest, env);
            case "run" -> runService(rest, env);
            case "teacher" -> TeacherCommand.run(rest, env);
            case "dataset" -> DatasetCommand.run(rest, env);
            case "audit" -> AuditCommand.run(rest, env);
            case "settings" -> SettingsCommand.run(rest);
            case "bench" -> rest.isEmpty() ? usage("bench needs a target: bench data, bench train, bench images, bench scale or bench topk")
                    : switch (rest.get(0)) {
                        case "data" -> DataBench.run(rest.subList(1, rest.size()), env);
                        case "train" -> TrainBench.run(rest.subList(1, rest.size()), env);
                        case "images" -> BenchImagesCommand.run(rest.subList(1, rest.size()), env);
                        case "scale" -> ScaleBench.run(rest.subList(1, rest.size()), env);
                        case "topk" -> io.kdstream.app.bench.TopKBench.run(rest.subList(1, rest.size()), env);
                        default -> usage("unknown bench '" + rest.get(0) + "' (known: data, train, images, scale, topk)");
                    };
            default -> usage("unknown command '" + command + "'");
        };
    }

    private static int runService(List<String> args, Map<String, String> env) {
        if (args.isEmpty()) {
            return usage("run needs a service: loader, augmenter, teacher or student");
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.get(0)) {
            case Loader.STAGE -> ServiceMain.run(Loader.STAGE, rest, env, Loader::fromSettings);
            case Augmenter.STAGE -> ServiceMain.run(Augmenter.STAGE, rest, env, Augmenter::fromSettings);
            case TeacherService.STAGE -> ServiceMain.run(TeacherService.STAGE, rest, env, TeacherService::fromSettings);
            case StudentTrainer.STAGE -> ServiceMain.run(StudentTrainer.STAGE, rest, env, StudentTrainer::fromSettings);
            default -> usage("unknown service '" + args.get(0) + "' (known: loader, augmenter, teacher, student)");
        };
    }

    static int usage(String problem) {
        System.err.println("kdstream: " + problem);
        System.err.print(USAGE);
        return 2;
    }
}
