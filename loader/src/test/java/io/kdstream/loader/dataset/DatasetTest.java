package io.kdstream.loader.dataset;

import io.kdstream.core.image.ImageDecoder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.wire.ImageU8;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    static Path testdata() {
        return Path.of(System.getProperty("kdstream.testdata", "../testdata"));
    }

    @Test
    void shouldReadGzippedIdxImagesAndLabels() throws Exception {
        IdxDataset train = IdxDataset.inDirectory("mini", testdata().resolve("fashion-mnist-mini"), true, 10);
        assertEquals(400, train.size());
        assertEquals(1, train.channels());
        Dataset.Item first = train.read(0);
        assertEquals(28, first.image().height());
        assertEquals(28, first.image().width());
        // Fashion-MNIST's first training image is an ankle boot (class 9)
        assertEquals(9, first.label());
        byte[] raw;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                testdata().resolve("fashion-mnist-mini/train-images-idx3-ubyte.gz")))) {
            raw = in.readAllBytes();
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(raw, 16 + 5 * 784, 16 + 6 * 784), train.read(5).image().pixels());
        assertEquals(200, IdxDataset.inDirectory("mini", testdata().resolve("fashion-mnist-mini"), false, 10).size());
    }

    @Test
    void shouldReadUncompressedIdxAndNameTruncatedFile(@TempDir Path dir) throws Exception {
        byte[] raw;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                testdata().resolve("fashion-mnist-mini/t10k-images-idx3-ubyte.gz")))) {
            raw = in.readAllBytes();
        }
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), raw);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                testdata().resolve("fashion-mnist-mini/t10k-labels-idx1-ubyte.gz")))) {
            Files.write(dir.resolve("t10k-labels-idx1-ubyte"), in.readAllBytes());
        }
        assertEquals(200, IdxDataset.inDirectory("plain", dir, false, 10).size());
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), java.util.Arrays.copyOf(raw, raw.length - 100));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxDataset.inDirectory("plain", dir, false, 10));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void shouldSayHowToGetFashionMnistWhenMissing(@TempDir Path dir) {
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetSpec.idx(dir.resolve("nope")).open(true));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        DatasetException e2 = assertThrows(DatasetException.class, () -> DatasetSpec.idx(dir).open(true));
        assertTrue(e2.getMessage().contains("train-images-idx3-ubyte"), e2.getMessage());
    }

    @Test
    void shouldDecodeFolderImagesAndReportEachBadFile() {
        ImageFolderDataset d = new ImageFolderDataset("folder", testdata().resolve("folder"), true, 0,
                new ImageDecoder(3, 4096), 3);
        assertEquals(List.of("sneaker", "trouser", "tshirt"), d.classNames());
        assertEquals(14, d.size());
        int good = 0;
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            try {
                Dataset.Item item = d.read(i);
                assertEquals(3, item.image().channels());
                assertTrue(item.label() >= 0 && item.label() < 3);
                good++;
            } catch (BadImageException e) {
                bad.add(e.source());
                assertFalse(e.unreadable());
                assertTrue(e.getMessage().contains(e.source()), e.getMessage());
            }
        }
        assertEquals(12, good);
        assertEquals(2, bad.size(), bad.toString());
        assertTrue(bad.stream().anyMatch(s -> s.endsWith("corrupt-truncated.png")), bad.toString());
        assertTrue(bad.stream().anyMatch(s -> s.endsWith("not-an-image.jpg")), bad.toString());
    }

    @Test
    void shouldConvertGreyAndColourToTheRequestedChannels() throws Exception {
        ImageFolderDataset grey = new ImageFolderDataset("f", testdata().resolve("folder-test"), true, 0,
                new ImageDecoder(1, 4096), 1);
        ImageU8 png = grey.read(0).image(); // sneaker-0.png, 28x28 grey
        assertEquals(1, png.channels());
        assertEquals(28, png.width());
        ImageU8 jpg = grey.read(1).image(); // sneaker-1.jpg, 36x32 RGB
        assertEquals(36, jpg.width());
        assertEquals(32, jpg.height());
        ImageFolderDataset rgb = new ImageFolderDataset("f", testdata().resolve("folder-test"), true, 0,
                new ImageDecoder(3, 4096), 3);
        ImageU8 png3 = rgb.read(0).image();
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(png.at(y, x, 0), png3.at(y, x, 0));
                assertEquals(png.at(y, x, 0), png3.at(y, x, 2));
            }
        }
    }

    @Test
    void shouldReadUnlabeledFoldersRecursively() {
        ImageFolderDataset d = new ImageFolderDataset("ood", testdata().resolve("folder-test"), false, 10,
                new ImageDecoder(1, 4096), 1);
        assertEquals(6, d.size());
        assertEquals(10, d.numClasses());
    }

    @Test
    void shouldRejectImagesLargerThanMaxSide() {
        ImageFolderDataset d = new ImageFolderDataset("f", testdata().resolve("folder-test"), true, 0,
                new ImageDecoder(1, 30), 1);
        BadImageException e = assertThrows(BadImageException.class, () -> d.read(1)); // 36x32 jpeg
        assertTrue(e.getMessage().contains("dataset.max-side"), e.getMessage());
    }

    @Test
    void shouldReadCifarRecordsAsHwc(@TempDir Path dir) throws IOException {
        for (boolean c100 : new boolean[] {false, true}) {
            int labelBytes = c100 ? 2 : 1;
            byte[] data = new byte[3 * (labelBytes + 3072)];
            for (int r = 0; r < 3; r++) {
                int base = r * (labelBytes + 3072);
                data[base + labelBytes - 1] = (byte) (r + 5);
                for (int i = 0; i < 1024; i++) {
                    data[base + labelBytes + i] = (byte) 10;          // red plane
                    data[base + labelBytes + 1024 + i] = (byte) 20;   // green plane
                    data[base + labelBytes + 2048 + i] = (byte) (i % 32); // blue = x
                }
            }
            Path f = dir.resolve(c100 ? "train.bin" : "test_batch.bin");
            Files.write(f, data);
            CifarDataset d = new CifarDataset("c", List.of(f), c100);
            assertEquals(3, d.size());
            assertEquals(c100 ? 100 : 10, d.numClasses());
            Dataset.Item it = d.read(2);
            assertEquals(7, it.label());
            assertEquals(10, it.image().at(5, 7, 0));
            assertEquals(20, it.image().at(5, 7, 1));
            assertEquals(7, it.image().at(5, 7, 2));
            Files.write(f, java.util.Arrays.copyOf(data, data.length - 1));
            assertThrows(DatasetException.class, () -> new CifarDataset("c", List.of(f), c100));
        }
    }
}
