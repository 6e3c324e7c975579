package io.kdstream.loader.dataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes an ImageNet-like image folder for benchmarks anyone can reproduce: colour JPEGs of mixed sizes around
 * 400x350 (sides drawn from 300..500 and 260..440), one sub-folder per class, {@code <root>/<class>/<n>.jpg}, plus a
 * test split in {@code <root>-test}. The content is made for the decoder, not for accuracy: a smooth two-colour
 * gradient, a few sinusoidal textures whose frequencies and colours depend on the class, filled and outlined shapes
 * and per-pixel noise, so the JPEG has edges, texture and noise in every block as photographs do (flat colours would
 * compress to a few kilobytes and decode far faster than real data). At quality 90 an image takes about 60-65 KB (62 KB on average for the default 100-class folder).
 * The same seed writes the same files.
 */
public final class SyntheticImageFolder {
    private SyntheticImageFolder() {
    }

    /** What was written. */
    public record Written(int images, long bytes) {
    }

    /**
     * Writes the training split under {@code root} and the test split under {@code root + "-test"}.
     *
     * @param classes      number of classes (sub-folders)
     * @param perClass     training images per class
     * @param testPerClass test images per class
     */
    public static Written write(Path root, int classes, int perClass, int testPerClass, long seed) {
        if (classes < 2 || perClass < 1 || testPerClass < 0) {
            throw new IllegalArgumentException("classes must be >= 2, images per class >= 1, test images >= 0");
        }
        Written a = split(root, classes, perClass, seed);
        Written b = split(Path.of(root + "-test"), classes, testPerClass, seed ^ 0x5DEECE66DL);
        return new Written(a.images() + b.images(), a.bytes() + b.bytes());
    }

    private static Written split(Path dir, int classes, int perClass, long seed) {
        int n = 0;
        long bytes = 0;
        for (int c = 0; c < classes; c++) {
            Path classDir = dir.resolve(String.format(Locale.ROOT, "class%03d", c));
            try {
                Files.createDirectories(classDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + classDir + ": " + e, e);
            }
            for (int i = 0; i < perClass; i++) {
                SplittableRandom r = new SplittableRandom(seed * 1_000_003L + c * 10_007L + i);
                BufferedImage img = render(c, r);
                Path f = classDir.resolve(String.format(Locale.ROOT, "%05d.jpg", i));
                bytes += writeJpeg(img, f, 0.9f);
                n++;
            }
        }
        return new Written(n, bytes);
    }

    /** One image of class {@code c}. */
    static BufferedImage render(int c, SplittableRandom r) {
        int w = 300 + r.nextInt(201);
        int h = 260 + r.nextInt(181);
        SplittableRandom cls = new SplittableRandom(0x9E3779B97F4A7C15L * (c + 1));
        float[] base = {cls.nextFloat(), cls.nextFloat(), cls.nextFloat()};
        float[] other = {r.nextFloat(), r.nextFloat(), r.nextFloat()};
        int waves = 3;
        double[] fx = new double[waves];
        double[] fy = new double[waves];
        double[] ph = new double[waves];
        float[][] tint = new float[waves][3];
        for (int k = 0; k < waves; k++) {
            fx[k] = (0.01 + cls.nextDouble() * 0.12) * (0.8 + 0.4 * r.nextDouble());
            fy[k] = (0.01 + cls.nextDouble() * 0.12) * (0.8 + 0.4 * r.nextDouble());
            ph[k] = r.nextDouble() * 2 * Math.PI;
            for (int ch = 0; ch < 3; ch++) {
                tint[k][ch] = (cls.nextFloat() - 0.5f) * 90;
            }
        }
        int[] rgb = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float t = (x + y) / (float) (w + h);
                int[] px = new int[3];
                for (int ch = 0; ch < 3; ch++) {
                    double v = 255 * (base[ch] * (1 - t) + other[ch] * t);
                    for (int k = 0; k < waves; k++) {
                        v += tint[k][ch] * Math.sin(fx[k] * x + fy[k] * y + ph[k]);
                    }
                    v += (r.nextDouble() - 0.5) * 64; // sensor-like noise
                    px[ch] = (int) Math.max(0, Math.min(255, v));
                }
                rgb[y * w + x] = (px[0] << 16) | (px[1] << 8) | px[2];
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, rgb, 0, w);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            int shapes = 3 + r.nextInt(5);
            for (int k = 0; k < shapes; k++) {
                g.setColor(new Color(cls.nextInt(256), r.nextInt(256), cls.nextInt(256), 120 + r.nextInt(136)));
                int sw = 20 + r.nextInt(Math.max(1, w / 2));
                int sh = 20 + r.nextInt(Math.max(1, h / 2));
                int sx = r.nextInt(w) - sw / 2;
                int sy = r.nextInt(h) - sh / 2;
                switch ((c + k) % 3) {
                    case 0 -> g.fillOval(sx, sy, sw, sh);
                    case 1 -> g.fillRect(sx, sy, sw, sh);
                    default -> {
                        g.setStroke(new BasicStroke(2 + r.nextInt(8)));
                        g.drawOval(sx, sy, sw, sh);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static long writeJpeg(BufferedImage img, Path f, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = writers.next();
        try (OutputStream os = Files.newOutputStream(f); ImageOutputStream out = ImageIO.createImageOutputStream(os)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f + ": " + e, e);
        } finally {
            writer.dispose();
        }
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
