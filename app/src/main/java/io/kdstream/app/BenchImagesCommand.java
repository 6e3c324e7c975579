package io.kdstream.app;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Settings;
import io.kdstream.loader.dataset.SyntheticImageFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kdstream bench images}: writes the ImageNet-like JPEG folder the 224 px benches run on
 * ({@link SyntheticImageFolder}), so anyone can reproduce them.
 */
final class BenchImagesCommand {
    private static final String HELP = """
            usage: kdstream bench images [--bench.out=DIR] [--bench.classes=100] [--bench.per-class=20]
                                         [--bench.test-per-class=4] [--bench.seed=1]

            Writes colour JPEGs of mixed sizes around 400x350 (quality 90, about 60-80 KB each: gradients, class
            textures, shapes and noise, so they decode like photographs) to DIR/<class>/NNNNN.jpg and a test split to
            DIR-test. Default DIR: runs/images224. Then, e.g.:
              ./kdstream bench data --dataset.kind=folder --dataset.path=DIR --dataset.channels=3 \\
                  --view.teacher-size=224 --augment.view-encoding=uint8 --pipeline.batch-size=64
            """;

    private BenchImagesCommand() {
    }

    static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(args, env, positional);
        Path out;
        int classes;
        int perClass;
        int testPerClass;
        long seed;
        try {
            if (s.bool("help", false)) {
                System.out.print(HELP);
                return 0;
            }
            out = s.path("bench.out").orElse(Path.of("runs", "images224"));
            classes = s.integer("bench.classes", 100);
            perClass = s.integer("bench.per-class", 20);
            testPerClass = s.integer("bench.test-per-class", 4);
            seed = s.longValue("bench.seed", 1);
            ConfigException.require(classes >= 2, "bench.classes", classes, "must be >= 2");
            ConfigException.require(perClass >= 1, "bench.per-class", perClass, "must be >= 1");
            ConfigException.require(testPerClass >= 0, "bench.test-per-class", testPerClass, "must be >= 0");
            if (!positional.isEmpty()) {
                throw new ConfigException("unexpected argument(s) " + positional + "; settings are --key=value");
            }
            s.requireAllUsed();
        } catch (ConfigException e) {
            System.err.println("kdstream bench images: " + e.getMessage());
            return 2;
        }
        long t0 = System.nanoTime();
        SyntheticImageFolder.Written w = SyntheticImageFolder.write(out, classes, perClass, testPerClass, seed);
        System.out.printf(Locale.ROOT, "bench images: %d JPEGs (%d classes x %d, test %d per class) in %s and %s-test, "
                        + "%.1f MB, %.0f KB each on average, in %.1f s%n", w.images(), classes, perClass, testPerClass,
                out, out, w.bytes() / 1e6, w.bytes() / 1024.0 / w.images(), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
