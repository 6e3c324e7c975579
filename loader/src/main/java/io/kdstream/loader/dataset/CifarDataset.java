package io.kdstream.loader.dataset;

import io.kdstream.core.wire.ImageU8;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 / CIFAR-100 "binary version" files: fixed-size records of label byte(s) then 3072 bytes of 32x32 pixels
 * in channel-major order (1024 red, 1024 green, 1024 blue). CIFAR-10 records have one label byte; CIFAR-100 records
 * have a coarse and a fine label byte, and the fine label (100 classes) is used.
 */
public final class CifarDataset implements Dataset {
    private static final int SIDE = 32;
    private static final int PIXELS = SIDE * SIDE * 3;

    private final String name;
    private final List<byte[]> files = new ArrayList<>();
    private final List<String> fileNames = new ArrayList<>();
    private final int labelBytes;
    private final int numClasses;
    private final int recordSize;
    private final int[] fileStart;
    private final int count;

    /**
     * @param name       a short name for logs
     * @param batchFiles the .bin files, in order
     * @param cifar100   true for CIFAR-100 (two label bytes, 100 fine classes)
     */
    public CifarDataset(String name, List<Path> batchFiles, boolean cifar100) {
        this.name = name;
        this.labelBytes = cifar100 ? 2 : 1;
        this.numClasses = cifar100 ? 100 : 10;
        this.recordSize = labelBytes + PIXELS;
        fileStart = new int[batchFiles.size() + 1];
        int total = 0;
        for (int i = 0; i < batchFiles.size(); i++) {
            Path p = batchFiles.get(i);
            byte[] data = IdxDataset.readMaybeGzipped(p);
            if (data.length == 0 || data.length % recordSize != 0) {
                throw new DatasetException(p + " has " + data.length + " bytes, not a multiple of the " + recordSize
                        + "-byte " + (cifar100 ? "CIFAR-100" : "CIFAR-10") + " record; the file is truncated or of the "
                        + "other CIFAR variant (set dataset.kind=" + (cifar100 ? "cifar10" : "cifar100") + ")");
            }
            for (int r = 0; r < data.length / recordSize; r++) {
                int label = Byte.toUnsignedInt(data[r * recordSize + labelBytes - 1]);
                if (label >= numClasses) {
                    throw new DatasetException(p + ": record " + r + " has label " + label + " >= " + numClasses
                            + "; is this the other CIFAR variant?");
                }
            }
            files.add(data);
            fileNames.add(p.getFileName().toString());
            fileStart[i] = total;
            total += data.length / recordSize;
        }
        fileStart[batchFiles.size()] = total;
        count = total;
    }

    /**
     * The standard layout of the extracted archives: {@code data_batch_1..5.bin} and {@code test_batch.bin}
     * (CIFAR-10) or {@code train.bin} and {@code test.bin} (CIFAR-100).
     */
    public static CifarDataset inDirectory(String name, Path dir, boolean train, boolean cifar100) {
        List<Path> files = new ArrayList<>();
        if (cifar100) {
            files.add(dir.resolve(train ? "train.bin" : "test.bin"));
        } else if (train) {
            for (int i = 1; i <= 5; i++) {
                files.add(dir.resolve("data_batch_" + i + ".bin"));
            }
        } else {
            files.add(dir.resolve("test_batch.bin"));
        }
        for (Path p : files) {
            if (!Files.isRegularFile(p)) {
                throw new DatasetException("missing " + p + "; extract the CIFAR binary archive "
                        + (cifar100 ? "(cifar-100-binary)" : "(cifar-10-binary)") + " and pass --dataset.path=DIR");
            }
        }
        return new CifarDataset(name + "/" + (train ? "train" : "test"), files, cifar100);
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
        return 3;
    }

    @Override
    public List<String> classNames() {
        return Dataset.numberedClasses(numClasses);
    }

    @Override
    public Item read(int index) {
        int f = 0;
        while (index >= fileStart[f + 1]) {
            f++;
        }
        byte[] data = files.get(f);
        int base = (index - fileStart[f]) * recordSize;
        int label = Byte.toUnsignedInt(data[base + labelBytes - 1]);
        int px = base + labelBytes;
        byte[] hwc = new byte[PIXELS];
        int plane = SIDE * SIDE;
        for (int i = 0; i < plane; i++) {
            hwc[i * 3] = data[px + i];
            hwc[i * 3 + 1] = data[px + plane + i];
            hwc[i * 3 + 2] = data[px + 2 * plane + i];
        }
        return new Item(new ImageU8(SIDE, SIDE, 3, hwc), label, fileNames.get(f) + "#" + (index - fileStart[f]));
    }
}
