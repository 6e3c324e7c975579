package io.kdstream.loader.dataset;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.image.ImageDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which dataset to read: settings {@code dataset.*}.
 *
 * @param kind     {@code dataset.kind}: idx (MNIST, Fashion-MNIST), cifar10, cifar100 or folder
 * @param path     {@code dataset.path}: the directory; defaults to Debian's Fashion-MNIST for idx
 * @param labeled  {@code dataset.labeled}: folder only; false reads every image under the root with label -1
 * @param channels {@code dataset.channels}: folder only; 1 or 3
 * @param classes  {@code dataset.classes}: classes of idx and unlabeled folder data
 * @param maxSide  {@code dataset.max-side}: folder images with a larger side are dead-lettered
 * @param limit    {@code dataset.limit}: use only the first N images of the training split (0 = all)
 * @param testLimit {@code dataset.test-limit}: use only the first N images of the test split (0 = all)
 * @param evalPath {@code dataset.eval-path}: a labelled dataset of the same kind to evaluate on instead of the test
 *                 split (for unlabelled or out-of-domain training data), or null
 */
public record DatasetSpec(Kind kind, Path path, boolean labeled, int channels, int classes, int maxSide, int limit,
                          int testLimit, Path evalPath) {
    /** Where Debian's dataset-fashion-mnist package installs the files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    /** Dataset formats. */
    public enum Kind {
        /** MNIST-style IDX files. */
        IDX,
        /** CIFAR-10 binary batches. */
        CIFAR10,
        /** CIFAR-100 binary files. */
        CIFAR100,
        /** A folder of PNG/JPEG images. */
        FOLDER
    }

    /** A dataset evaluated on its own test split. */
    public DatasetSpec(Kind kind, Path path, boolean labeled, int channels, int classes, int maxSide, int limit,
                       int testLimit) {
        this(kind, path, labeled, channels, classes, maxSide, limit, testLimit, null);
    }

    public DatasetSpec {
        ConfigException.require(channels == 1 || channels == 3, "dataset.channels", channels, "must be 1 or 3");
        ConfigException.require(classes >= 2, "dataset.classes", classes, "must be >= 2");
        ConfigException.require(maxSide >= 8, "dataset.max-side", maxSide, "must be >= 8");
        ConfigException.require(limit >= 0, "dataset.limit", limit, "must be >= 0 (0 = all)");
        ConfigException.require(testLimit >= 0, "dataset.test-limit", testLimit, "must be >= 0 (0 = all)");
    }

    /** Reads {@code dataset.*}. */
    public static DatasetSpec from(Settings s) {
        Kind kind = s.choice(Keys.DATASET_KIND, Kind.class);
        Path path = s.path(Keys.DATASET_PATH).orElse(kind == Kind.IDX ? DEBIAN_FASHION_MNIST : null);
        if (path == null) {
            throw new ConfigException("setting dataset.path is required for dataset.kind=" + kind.name()
                    .toLowerCase(java.util.Locale.ROOT) + " (set --dataset.path=DIR or KDS_DATASET_PATH)");
        }
        return new DatasetSpec(kind, path, s.bool(Keys.DATASET_LABELED), s.integer(Keys.DATASET_CHANNELS),
                s.integer(Keys.DATASET_CLASSES), s.integer(Keys.DATASET_MAX_SIDE), s.integer(Keys.DATASET_LIMIT),
                s.integer(Keys.DATASET_TEST_LIMIT), s.path(Keys.DATASET_EVAL_PATH).orElse(null));
    }

    /** Fashion-MNIST in a directory (tests, tools). */
    public static DatasetSpec idx(Path dir) {
        return new DatasetSpec(Kind.IDX, dir, true, 1, 10, 4096, 0, 0);
    }

    /** A copy that reads only the first {@code limit} training and {@code testLimit} test images. */
    public DatasetSpec withLimits(int newLimit, int newTestLimit) {
        return new DatasetSpec(kind, path, labeled, channels, classes, maxSide, newLimit, newTestLimit, evalPath);
    }

    /**
     * Opens one split. The test split of a folder dataset is the sibling folder {@code path + "-test"} or a
     * {@code test} sub-folder of the parent, when present.
     *
     * @throws DatasetException naming the missing or malformed file and how to get it
     */
    public Dataset open(boolean train) {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (!Files.isDirectory(path)) {
            throw new DatasetException("dataset directory " + path + " does not exist. "
                    + (kind == Kind.IDX ? "For Fashion-MNIST run 'sudo apt-get install dataset-fashion-mnist' "
                    + "(installs " + DEBIAN_FASHION_MNIST + ") or " : "") + "pass --dataset.path=DIR");
        }
        Dataset d = switch (kind) {
            case IDX -> IdxDataset.inDirectory(name, path, train, classes);
            case CIFAR10 -> CifarDataset.inDirectory(name, path, train, false);
            case CIFAR100 -> CifarDataset.inDirectory(name, path, train, true);
            case FOLDER -> {
                Path dir = train ? path : testFolder();
                int ch = channels;
                yield new ImageFolderDataset(name + (train ? "" : "-test"), dir, labeled, classes,
                        new ImageDecoder(ch, maxSide), ch);
            }
        };
        int n = train ? limit : testLimit;
        return n > 0 && n < d.size() ? new Subset(d, n) : d;
    }

    /**
     * What the student is evaluated on: the test split, or with {@code dataset.eval-path} that labelled dataset (for
     * image folders the folder itself, one sub-folder per class; otherwise its test split), at most
     * {@code dataset.test-limit} images of it.
     */
    public Dataset openEvaluation() {
        if (evalPath == null) {
            return open(false);
        }
        if (!Files.isDirectory(evalPath)) {
            throw new DatasetException("setting dataset.eval-path=" + evalPath + " is not a directory; point it at a "
                    + "labelled dataset of dataset.kind=" + kind.name().toLowerCase(java.util.Locale.ROOT));
        }
        Dataset d = kind == Kind.FOLDER
                ? new ImageFolderDataset(evalPath.getFileName().toString(), evalPath, true, classes,
                        new ImageDecoder(channels, maxSide), channels)
                : new DatasetSpec(kind, evalPath, true, channels, classes, maxSide, 0, 0).open(false);
        return testLimit > 0 && testLimit < d.size() ? new Subset(d, testLimit) : d;
    }

    private Path testFolder() {
        for (Path p : List.of(Path.of(path + "-test"), path.resolveSibling("test"))) {
            if (Files.isDirectory(p) && !p.equals(path)) {
                return p;
            }
        }
        throw new DatasetException("no test split for image folder " + path + ": create " + path + "-test with the "
                + "same class sub-folders");
    }

    /** The first n images of a dataset. */
    private record Subset(Dataset inner, int n) implements Dataset {
        @Override
        public String name() {
            return inner.name() + "[:" + n + "]";
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public int numClasses() {
            return inner.numClasses();
        }

        @Override
        public int channels() {
            return inner.channels();
        }

        @Override
        public List<String> classNames() {
            return inner.classNames();
        }

        @Override
        public Item read(int index) throws BadImageException {
            return inner.read(index);
        }

        @Override
        public byte[] rawBytes(int index) {
            return inner.rawBytes(index);
        }

        @Override
        public Encoded readEncoded(int index) throws BadImageException {
            return inner.readEncoded(index);
        }

        @Override
        public Reference readReference(int index) throws BadImageException {
            return inner.readReference(index);
        }
    }
}
