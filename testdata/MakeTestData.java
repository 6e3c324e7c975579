import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/**
 * Makes kdstream's small shipped test data from Debian's dataset-fashion-mnist. Run from the repository root:
 *   java testdata/MakeTestData.java /usr/share/datasets/fashion-mnist testdata
 * Writes fashion-mnist-mini/ (first 400 training and 200 test images as gzipped IDX), folder/ and folder-test/
 * (PNG and JPEG images in one sub-folder per class, with one corrupt PNG and one text file named .jpg in folder/).
 */
public class MakeTestData {
    static final String[] CLASSES = {"tshirt", "trouser", "sneaker"};
    static final int[] CLASS_IDS = {0, 1, 7};

    public static void main(String[] args) throws IOException {
        Path src = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path mini = Files.createDirectories(out.resolve("fashion-mnist-mini"));
        byte[] trainImg = gunzip(src.resolve("train-images-idx3-ubyte.gz"));
        byte[] trainLab = gunzip(src.resolve("train-labels-idx1-ubyte.gz"));
        byte[] testImg = gunzip(src.resolve("t10k-images-idx3-ubyte.gz"));
        byte[] testLab = gunzip(src.resolve("t10k-labels-idx1-ubyte.gz"));
        writeIdx(mini.resolve("train-images-idx3-ubyte.gz"), trainImg, trainLab, 400, true);
        writeIdx(mini.resolve("train-labels-idx1-ubyte.gz"), trainImg, trainLab, 400, false);
        writeIdx(mini.resolve("t10k-images-idx3-ubyte.gz"), testImg, testLab, 200, true);
        writeIdx(mini.resolve("t10k-labels-idx1-ubyte.gz"), testImg, testLab, 200, false);
        writeFolder(out.resolve("folder"), trainImg, trainLab, 4);
        writeFolder(out.resolve("folder-test"), testImg, testLab, 2);
        Path sneaker = out.resolve("folder").resolve("sneaker");
        byte[] png = Files.readAllBytes(sneaker.resolve("sneaker-0.png"));
        Files.write(sneaker.resolve("corrupt-truncated.png"), java.util.Arrays.copyOf(png, png.length / 3));
        Files.writeString(out.resolve("folder").resolve("trouser").resolve("not-an-image.jpg"), "this is text\n");
    }

    static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    static void writeIdx(Path p, byte[] img, byte[] lab, int n, boolean images) throws IOException {
        try (DataOutputStream o = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(p)))) {
            if (images) {
                o.writeInt(0x803);
                o.writeInt(n);
                o.writeInt(28);
                o.writeInt(28);
                o.write(img, 16, n * 784);
            } else {
                o.writeInt(0x801);
                o.writeInt(n);
                o.write(lab, 8, n);
            }
        }
    }

    static void writeFolder(Path root, byte[] img, byte[] lab, int perClass) throws IOException {
        for (int c = 0; c < CLASSES.length; c++) {
            Path dir = Files.createDirectories(root.resolve(CLASSES[c]));
            int written = 0;
            for (int i = 0; written < perClass; i++) {
                if (lab[8 + i] != CLASS_IDS[c]) {
                    continue;
                }
                boolean jpeg = written % 2 == 1;
                // JPEGs are written as RGB at 36x32 to exercise colour conversion and non-square sizes
                BufferedImage b = jpeg ? new BufferedImage(36, 32, BufferedImage.TYPE_INT_RGB)
                        : new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < b.getHeight(); y++) {
                    for (int x = 0; x < b.getWidth(); x++) {
                        int sx = Math.min(27, x * 28 / b.getWidth());
                        int sy = Math.min(27, y * 28 / b.getHeight());
                        int v = img[16 + i * 784 + sy * 28 + sx] & 0xff;
                        if (jpeg) {
                            b.setRGB(x, y, (v << 16) | ((v * 3 / 4) << 8) | (v / 2));
                        } else {
                            b.getRaster().setSample(x, y, 0, v);
                        }
                    }
                }
                try (OutputStream o = Files.newOutputStream(dir.resolve(CLASSES[c] + "-" + written + (jpeg ? ".jpg" : ".png")))) {
                    ImageIO.write(b, jpeg ? "jpg" : "png", o);
                }
                written++;
            }
        }
    }
}
