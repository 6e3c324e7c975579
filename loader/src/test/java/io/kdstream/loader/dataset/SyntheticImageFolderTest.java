package io.kdstream.loader.dataset;

import io.kdstream.core.image.ImageDecoder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticImageFolderTest {
    @Test
    void shouldWriteColourJpegsOfMixedSizesThatReadAsAnImageFolder(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("images");
        SyntheticImageFolder.Written w = SyntheticImageFolder.write(root, 3, 4, 1, 7);
        assertEquals(15, w.images());
        double kbEach = w.bytes() / 1024.0 / w.images();
        assertTrue(kbEach > 30 && kbEach < 150, "JPEGs of photograph-like size, not flat colours: " + kbEach + " KB");
        DatasetSpec spec = new DatasetSpec(DatasetSpec.Kind.FOLDER, root, true, 3, 10, 4096, 0, 0);
        Dataset train = spec.open(true);
        assertEquals(12, train.size());
        assertEquals(3, train.numClasses());
        assertEquals(3, spec.open(false).size());
        int minSide = Integer.MAX_VALUE;
        int maxSide = 0;
        for (int i = 0; i < train.size(); i++) {
            var img = train.read(i).image();
            assertEquals(3, img.channels());
            minSide = Math.min(minSide, Math.min(img.height(), img.width()));
            maxSide = Math.max(maxSide, Math.max(img.height(), img.width()));
        }
        assertTrue(minSide >= 260 && maxSide <= 500 && maxSide > minSide, minSide + ".." + maxSide);
    }

    @Test
    void shouldWriteTheSameFilesForTheSameSeed(@TempDir Path tmp) throws Exception {
        SyntheticImageFolder.write(tmp.resolve("a"), 2, 2, 0, 11);
        SyntheticImageFolder.write(tmp.resolve("b"), 2, 2, 0, 11);
        Path f = Path.of("class001", "00001.jpg");
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)));
    }

    @Test
    void shouldDecodeJpegsAndPngsToTheSamePixelsAsGetRgbOnTheFastPath(@TempDir Path tmp) throws Exception {
        SyntheticImageFolder.write(tmp.resolve("img"), 2, 3, 0, 5);
        java.util.List<Path> files = new java.util.ArrayList<>();
        try (var s = Files.walk(tmp.resolve("img"))) {
            s.filter(p -> p.toString().endsWith(".jpg")).sorted().forEach(files::add);
        }
        Path png = tmp.resolve("one.png"); // a PNG of the same content: another reader, another raster layout
        javax.imageio.ImageIO.write(javax.imageio.ImageIO.read(files.get(0).toFile()), "png", png.toFile());
        files.add(png);
        for (int channels : new int[] {3, 1}) {
            ImageDecoder d = new ImageDecoder(channels, 4096);
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                var fast = d.decode(bytes);
                java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
                var slow = d.toHwcViaArgb(img, img.getWidth(), img.getHeight(),
                        new byte[img.getWidth() * img.getHeight() * channels]);
                assertEquals(slow.height(), fast.height());
                assertEquals(slow.width(), fast.width());
                assertArrayEquals(slow.pixels(), fast.pixels(), f + ", " + channels + " channel(s)");
            }
        }
    }
}
