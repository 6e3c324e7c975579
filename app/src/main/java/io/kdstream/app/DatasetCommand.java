package io.kdstream.app;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetException;
import io.kdstream.loader.dataset.DatasetImport;
import io.kdstream.loader.dataset.DatasetSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code kdstream dataset prepare}: copies a dataset from {@code dataset.source} (a folder or an archive) into
 * {@code dataset.path} ({@link DatasetImport}), then opens both splits as the loader and the student will and prints
 * what they hold. The compose cluster's {@code dataset} service runs it before any stage starts, so a dataset that
 * cannot be read stops the run there, with the reason, instead of in a restarting loader.
 */
final class DatasetCommand {
    static final String HELP = """
            usage: kdstream dataset prepare --dataset.source=PATH [--dataset.path=DIR] [--dataset.kind=...]

            Copies the dataset at PATH (a folder, or a .tar, .tar.gz, .tgz or .zip archive; an archive's single
            top-level folder is dropped) into DIR, unless DIR already holds that same source, then checks that the
            training and test splits read as dataset.kind (idx, cifar10, cifar100 or folder).
              --dataset.source=PATH   where the dataset is now
              --dataset.path=DIR      where the loader and the student read it (default for idx: Debian's
                                      /usr/share/datasets/fashion-mnist)
              --dataset.target=DIR    where the copy goes, when the splits lie below it (default dataset.path)
              --dataset.*             kind, channels, classes, labeled, limit, test-limit: as for run loader
              --dataset.verify        also decode every image of both splits, on every core, and fail naming the
                                      files that do not decode (default false). Worth it before a run with
                                      loader.ship=reference, where such a file costs its whole batch
            """;

    private DatasetCommand() {
    }

    private record Copy(Path source, Path target, DatasetSpec spec, boolean verify) {
    }

    /** Decodes every image of a split on every core; the files that fail, with why. */
    private static List<String> verify(Dataset d) {
        return java.util.stream.IntStream.range(0, d.size()).parallel().mapToObj(i -> {
            try {
                d.read(i);
                return null;
            } catch (io.kdstream.loader.dataset.BadImageException e) {
                return e.getMessage();
            }
        }).filter(java.util.Objects::nonNull).toList();
    }

    static int run(List<String> args, Map<String, String> env) {
        CommandLine.Parsed<Copy> p = CommandLine.parseAction("dataset", "prepare", HELP, args, env,
                s -> {
                    Path source = Path.of(s.required(Keys.DATASET_SOURCE, "the folder or archive that holds the dataset"));
                    DatasetSpec spec = DatasetSpec.from(s);
                    Path target = s.path(Keys.DATASET_TARGET).orElse(spec.path());
                    if (!spec.path().toAbsolutePath().normalize().startsWith(target.toAbsolutePath().normalize())) {
                        throw new ConfigException("setting dataset.path=" + spec.path() + " is not inside "
                                + "dataset.target=" + target + "; the copy goes to dataset.target and the splits are "
                                + "read from dataset.path");
                    }
                    return new Copy(source, target, spec, s.bool(Keys.DATASET_VERIFY));
                });
        if (!p.run()) {
            return p.exit();
        }
        Path source = p.value().source();
        Path target = p.value().target();
        DatasetSpec spec = p.value().spec();
        try {
            long t0 = System.nanoTime();
            DatasetImport.Outcome o = DatasetImport.into(source, target);
            System.out.println(o.copied()
                    ? String.format("dataset: copied %d files (%.1f MB) from %s to %s in %.1f s", o.files(),
                            o.bytes() / 1e6, source, target, (System.nanoTime() - t0) / 1e9)
                    : "dataset: " + target + " already holds " + source + "; not copied again");
            Dataset train = spec.open(true);
            Dataset test = spec.open(false);
            System.out.println("dataset ready: " + spec.kind().name().toLowerCase(java.util.Locale.ROOT) + " at "
                    + spec.path() + ": " + train.size() + " training images (" + train.name() + "), " + test.size()
                    + " test images, " + train.numClasses() + " classes, " + train.channels() + " channel(s)");
            if (p.value().verify()) {
                long t1 = System.nanoTime();
                List<String> bad = new java.util.ArrayList<>(verify(train));
                bad.addAll(verify(test));
                System.out.printf(java.util.Locale.ROOT, "dataset verify: decoded %d images in %.1f s, %d do not "
                        + "decode%n", train.size() + test.size(), (System.nanoTime() - t1) / 1e9, bad.size());
                if (!bad.isEmpty()) {
                    bad.stream().sorted().limit(20).forEach(b -> System.err.println("  " + b));
                    System.err.println("kdstream dataset prepare: " + bad.size() + " image(s) do not decode"
                            + (bad.size() > 20 ? " (the first 20 above)" : "") + "; remove or replace them");
                    return 1;
                }
            }
            return 0;
        } catch (DatasetException e) {
            System.err.println("kdstream dataset prepare: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            System.err.println("kdstream dataset prepare failed: " + e.getMessage());
            return 1;
        }
    }
}
