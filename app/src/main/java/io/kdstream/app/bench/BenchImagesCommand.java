package io.kdstream.app.bench;

import io.kdstream.app.CommandLine;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.loader.dataset.SyntheticImageFolder;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kdstream bench images}: writes the ImageNet-like JPEG folder the 224 px benches run on
 * ({@link SyntheticImageFolder}), so anyone can reproduce them.
 */
public final class BenchImagesCommand {
    public static final String HELP = """
            usage: kdstream bench images [--bench.out=DIR] [--bench.classes=100] [--bench.per-class=20]
                                         [--bench.test-per-class=4] [--bench.seed=1]

            Writes colour JPEGs of mixed sizes around 400x350 (quality 90, about 62 KB each on average: gradients, class
            textures, shapes and noise, so they decode like photographs) to DIR/<class>/NNNNN.jpg and a test split to
            DIR-test. Default DIR: runs/images224. Then, e.g.:
              ./kdstream bench data --dataset.kind=folder --dataset.path=DIR --dataset.channels=3 \\
                  --view.teacher-size=224 --augment.view-encoding=uint8 --pipeline.batch-size=64
            """;

    private BenchImagesCommand() {
    }

    private record Plan(Path out, int classes, int perClass, int testPerClass, long seed) {
    }

    public static int run(List<String> args, Map<String, String> env) {
        CommandLine.Parsed<Plan> p = CommandLine.parse("bench images", HELP, args, env, s -> {
            Plan plan = new Plan(s.path(Keys.BENCH_OUT).orElseThrow(),
                    s.integer(Keys.BENCH_CLASSES), s.integer(Keys.BENCH_PER_CLASS),
                    s.integer(Keys.BENCH_TEST_PER_CLASS), s.longValue(Keys.BENCH_SEED));
            ConfigException.require(plan.classes() >= 2, "bench.classes", plan.classes(), "must be >= 2");
            ConfigException.require(plan.perClass() >= 1, "bench.per-class", plan.perClass(), "must be >= 1");
            ConfigException.require(plan.testPerClass() >= 0, "bench.test-per-class", plan.testPerClass(),
                    "must be >= 0");
            return plan;
        });
        if (!p.run()) {
            return p.exit();
        }
        Path out = p.value().out();
        int classes = p.value().classes();
        int perClass = p.value().perClass();
        int testPerClass = p.value().testPerClass();
        long seed = p.value().seed();
        long t0 = System.nanoTime();
        SyntheticImageFolder.Written w = SyntheticImageFolder.write(out, classes, perClass, testPerClass, seed);
        System.out.printf(Locale.ROOT, "bench images: %d JPEGs (%d classes x %d, test %d per class) in %s and %s-test, "
                        + "%.1f MB, %.0f KB each on average, in %.1f s%n", w.images(), classes, perClass, testPerClass,
                out, out, w.bytes() / 1e6, w.bytes() / 1024.0 / w.images(), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
