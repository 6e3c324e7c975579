import io.kdstream.core.image.ImageDecoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Single-thread JPEG decode costs on an image folder, for docs/PERFORMANCE.md:
 *   java -cp "app/target/lib/*:app/target/kdstream-app-0.1.0-SNAPSHOT.jar" bench/decode/DecodeBench.java runs/images224
 * Rows: ImageIO to a BufferedImage at full size; the same with source subsampling 2x2 (what a crop resized down to
 * 224 px from a ~400 px image could use); kdstream's ImageDecoder (ImageIO plus the copy to HWC uint8 RGB). Each is
 * timed over every file after one warm-up pass; files are read into memory first.
 */
public class DecodeBench {
    public static void main(String[] args) throws Exception {
        List<byte[]> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of(args[0]))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList()) {
                files.add(Files.readAllBytes(p));
            }
        }
        ImageDecoder kds = new ImageDecoder(3, 4096);
        for (int pass = 0; pass < 2; pass++) {
            long a = time(files, b -> read(b, 1));
            long c = time(files, b -> read(b, 2));
            long d = time(files, b -> kds.decode(b));
            if (pass == 1) {
                System.out.printf("%d JPEGs, %.0f KB each on average, one thread%n", files.size(),
                        files.stream().mapToInt(x -> x.length).average().orElse(0) / 1024);
                row("ImageIO, full size", a, files.size());
                row("ImageIO, source subsampling 2x2", c, files.size());
                row("kdstream ImageDecoder (ImageIO + HWC uint8 RGB copy)", d, files.size());
            }
        }
    }

    interface Decode {
        Object apply(byte[] b) throws Exception;
    }

    static long time(List<byte[]> files, Decode f) throws Exception {
        long t0 = System.nanoTime();
        for (byte[] b : files) {
            if (f.apply(b) == null) {
                throw new IllegalStateException("no image");
            }
        }
        return System.nanoTime() - t0;
    }

    static BufferedImage read(byte[] b, int sub) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(b))) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            try {
                r.setInput(in, true, true);
                ImageReadParam p = r.getDefaultReadParam();
                p.setSourceSubsampling(sub, sub, 0, 0);
                return r.read(0, p);
            } finally {
                r.dispose();
            }
        }
    }

    static void row(String what, long nanos, int n) {
        System.out.printf("| %s | %.2f ms | %.0f images/s |%n", what, nanos / 1e6 / n, n / (nanos / 1e9));
    }
}
