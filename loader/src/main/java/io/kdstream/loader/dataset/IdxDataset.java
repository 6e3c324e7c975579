package io.kdstream.loader.dataset;

import io.kdstream.core.wire.ImageU8;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * MNIST-style IDX files (as Fashion-MNIST ships them), gzipped or not: an images file of magic 0x00000803 with
 * dimensions N x rows x cols of unsigned bytes, and an optional labels file of magic 0x00000801 with N bytes. Both
 * files are read into memory and validated at construction.
 */
public final class IdxDataset implements Dataset {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private final String name;
    private final byte[] pixels;
    private final int offset;
    private final byte[] labels;
    private final int count;
    private final int rows;
    private final int cols;
    private final int numClasses;
    private final String source;

    /**
     * @param name       a short name for logs
     * @param images     the images file
     * @param labelsFile the labels file, or null for unlabeled images
     * @param numClasses classes (10 for MNIST and Fashion-MNIST)
     */
    public IdxDataset(String name, Path images, Path labelsFile, int numClasses) {
        this.name = name;
        this.numClasses = numClasses;
        this.source = images.getFileName().toString();
        byte[] img = readMaybeGzipped(images);
        ByteBuffer b = ByteBuffer.wrap(img);
        if (img.length < 16 || b.getInt(0) != IMAGES_MAGIC) {
            throw new DatasetException(images + " is not an IDX images file (magic 0x00000803 expected, found "
                    + (img.length < 4 ? "a " + img.length + "-byte file" : String.format("0x%08x", b.getInt(0)))
                    + "); point dataset.path at the directory holding train-images-idx3-ubyte(.gz)");
        }
        count = b.getInt(4);
        rows = b.getInt(8);
        cols = b.getInt(12);
        long need = 16L + (long) count * rows * cols;
        if (count <= 0 || rows <= 0 || cols <= 0 || img.length < need) {
            throw new DatasetException(images + " declares " + count + " images of " + rows + "x" + cols + " ("
                    + need + " bytes) but holds " + img.length + " bytes; the file is truncated, download it again");
        }
        pixels = img;
        offset = 16;
        if (labelsFile == null) {
            labels = null;
        } else {
            byte[] lab = readMaybeGzipped(labelsFile);
            ByteBuffer lb = ByteBuffer.wrap(lab);
            if (lab.length < 8 || lb.getInt(0) != LABELS_MAGIC) {
                throw new DatasetException(labelsFile + " is not an IDX labels file (magic 0x00000801 expected)");
            }
            int n = lb.getInt(4);
            if (n != count || lab.length < 8 + n) {
                throw new DatasetException(labelsFile + " holds " + Math.min(n, lab.length - 8) + " labels but "
                        + images + " holds " + count + " images; use matching files from the same split");
            }
            labels = Arrays.copyOfRange(lab, 8, 8 + n);
            for (int i = 0; i < n; i++) {
                if (Byte.toUnsignedInt(labels[i]) >= numClasses) {
                    throw new DatasetException(labelsFile + ": label " + Byte.toUnsignedInt(labels[i]) + " of image "
                            + i + " is outside 0.." + (numClasses - 1) + "; set dataset.classes");
                }
            }
        }
    }

    /**
     * The standard layout of a directory: {@code train-images-idx3-ubyte[.gz]} / {@code t10k-images-idx3-ubyte[.gz]}
     * and the matching label files.
     *
     * @param dir   the directory
     * @param train true for the training split, false for the test split
     */
    public static IdxDataset inDirectory(String name, Path dir, boolean train, int numClasses) {
        String prefix = train ? "train" : "t10k";
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        return new IdxDataset(name + "/" + (train ? "train" : "test"), images, labels, numClasses);
    }

    private static Path find(Path dir, String base) {
        for (String candidate : List.of(base + ".gz", base, base.replace("-idx", ".idx"))) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DatasetException("no " + base + "[.gz] in " + dir + "; for Fashion-MNIST run "
                + "'sudo apt-get install dataset-fashion-mnist' (files go to /usr/share/datasets/fashion-mnist) or "
                + "pass --dataset.path=DIR holding the four IDX files");
    }

    static byte[] readMaybeGzipped(Path p) {
        try {
            byte[] raw = Files.readAllBytes(p);
            if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
                try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 1 << 16)) {
                    return in.readAllBytes();
                }
            }
            return raw;
        } catch (java.io.EOFException e) {
            throw new DatasetException(p + " is a truncated gzip file; download it again", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    public List<String> classNames() {
        return Dataset.numberedClasses(numClasses);
    }

    @Override
    public Item read(int index) {
        int size = rows * cols;
        int from = offset + index * size;
        return new Item(new ImageU8(rows, cols, 1, Arrays.copyOfRange(pixels, from, from + size)),
                labels == null ? -1 : Byte.toUnsignedInt(labels[index]), source + "#" + index);
    }
}
