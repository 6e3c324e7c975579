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
 * 224 px from a ~400 px image could use); kdstream's ImageDecoder (ImageIO plus the copy to HWC uint8 RGB), whole and
 * only inside a crop box of half the image's area (what a consumer of view records decodes). With more jars on the
 * class path it adds rows for the other decoders (found by reflection, so the file runs without them):
 * TwelveMonkeys' pure-Java JPEG reader (com.twelvemonkeys.imageio:imageio-jpeg and its imageio-core, common-lang,
 * common-io, common-image, imageio-metadata) and OpenCV's libjpeg-turbo (org.openpnp:opencv), at full size and at
 * half size (IMREAD_REDUCED_COLOR_2, libjpeg's DCT scaling). Each is timed over every file after one warm-up pass;
 * files are read into memory first.
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
        ImageReader twelve = null;
        for (java.util.Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().contains("twelvemonkeys")) {
                twelve = r;
            }
        }
        ImageReader jdk = null;
        for (java.util.Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith("com.sun.")) {
                jdk = r;
            }
        }
        OpenCv cv = OpenCv.load();
        for (int pass = 0; pass < 2; pass++) {
            ImageReader jdkReader = jdk;
            long a = time(files, b -> read(jdkReader, b, 1));
            long c = time(files, b -> read(jdkReader, b, 2));
            long d = time(files, b -> kds.decode(b));
            long e = time(files, b -> {
                int[] hw = size(jdkReader, b);
                int bh = (int) (hw[0] * 0.7071);
                int bw = (int) (hw[1] * 0.7071);
                return kds.decodeRegion(b, new io.kdstream.core.image.CropBox((hw[0] - bh) / 2, (hw[1] - bw) / 2, bh,
                        bw), hw[0], hw[1]);
            });
            ImageReader tm = twelve;
            long f = tm == null ? -1 : time(files, b -> read(tm, b, 1));
            long g = cv == null ? -1 : time(files, b -> cv.decode(b, 1));
            long h = cv == null ? -1 : time(files, b -> cv.decode(b, 17));
            if (pass == 1) {
                System.out.printf("%d JPEGs, %.0f KB each on average, one thread%n", files.size(),
                        files.stream().mapToInt(x -> x.length).average().orElse(0) / 1024);
                row("JDK ImageIO, full size", a, files.size());
                row("JDK ImageIO, source subsampling 2x2", c, files.size());
                row("kdstream ImageDecoder (JDK ImageIO + HWC uint8 RGB copy)", d, files.size());
                row("kdstream ImageDecoder, only a centred crop box of half the area (decodeRegion)", e, files.size());
                if (f >= 0) {
                    row("TwelveMonkeys imageio-jpeg, full size", f, files.size());
                }
                if (g >= 0) {
                    row("OpenCV " + cv.version() + " imdecode (libjpeg-turbo), full size, to a Mat (BGR)", g, files.size());
                    row("OpenCV imdecode, IMREAD_REDUCED_COLOR_2 (DCT scaling to half size)", h, files.size());
                }
            }
        }
    }

    static int[] size(ImageReader r, byte[] b) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(b))) {
            r.setInput(in, true, true);
            return new int[] {r.getHeight(0), r.getWidth(0)};
        }
    }

    /** OpenCV through reflection (org.openpnp:opencv on the class path), or null. */
    record OpenCv(java.lang.reflect.Constructor<?> matOfByte, java.lang.reflect.Method imdecode,
                  java.lang.reflect.Method release, String version) {
        static OpenCv load() {
            try {
                Class.forName("nu.pattern.OpenCV").getMethod("loadLocally").invoke(null);
                Class<?> mob = Class.forName("org.opencv.core.MatOfByte");
                Class<?> mat = Class.forName("org.opencv.core.Mat");
                Class<?> codecs = Class.forName("org.opencv.imgcodecs.Imgcodecs");
                String v = (String) Class.forName("org.opencv.core.Core").getField("VERSION").get(null);
                return new OpenCv(mob.getConstructor(byte[].class), codecs.getMethod("imdecode", mat, int.class),
                        mat.getMethod("release"), v);
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }

        Object decode(byte[] b, int flags) throws Exception {
            Object in = matOfByte.newInstance((Object) b);
            Object out = imdecode.invoke(null, in, flags);
            release.invoke(in);
            release.invoke(out);
            return out;
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

    static BufferedImage read(ImageReader r, byte[] b, int sub) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(b))) {
            r.setInput(in, true, true);
            ImageReadParam p = r.getDefaultReadParam();
            p.setSourceSubsampling(sub, sub, 0, 0);
            return r.read(0, p);
        }
    }

    static void row(String what, long nanos, int n) {
        System.out.printf("| %s | %.2f ms | %.0f images/s |%n", what, nanos / 1e6 / n, n / (nanos / 1e9));
    }
}
