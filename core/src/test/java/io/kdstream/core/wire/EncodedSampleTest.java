package io.kdstream.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.image.ImageDecodeException;
import io.kdstream.core.image.ImageDecoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class EncodedSampleTest {
    private static byte[] png() throws Exception {
        BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                img.setRGB(x, y, (x * 30) << 16 | (y * 50) << 8 | (x + y) * 9);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void shouldCarryTheFileAndDecodeToTheSampleTheLoaderWouldHaveSent() throws Exception {
        byte[] file = png();
        EncodedSample e = new EncodedSample(42, 3, 1, 7, 2, 9, 10, 1234L, "folder:a/b.png", file, 3, 4096);
        Frame f = FrameCodec.decode(e.encode());
        assertTrue(EncodedSample.isEncoded(f));
        EncodedSample back = EncodedSample.fromFrame(f);
        assertArrayEquals(file, back.bytes());
        assertEquals("folder:a/b.png", back.source());
        Sample s = back.decode();
        Sample expected = new Sample(42, 3, 1, 7, 2, 9, 10, 1234L, "folder:a/b.png",
                new ImageDecoder(3, 4096).decode(file));
        assertEquals(expected.key(), s.key());
        assertEquals(expected.position(), s.position());
        assertArrayEquals(expected.image().pixels(), s.image().pixels());
        assertFalse(EncodedSample.isEncoded(FrameCodec.decode(expected.encode())));
    }

    @Test
    void shouldRefuseAFileThatDoesNotDecodeOrIsTooLarge() throws Exception {
        EncodedSample junk = new EncodedSample(1, 0, 0, 0, 0, 0, 10, 0, "x", new byte[] {1, 2, 3}, 3, 4096);
        assertThrows(ImageDecodeException.class, junk::decode);
        EncodedSample big = new EncodedSample(1, 0, 0, 0, 0, 0, 10, 0, "x", png(), 1, 6);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, big::decode);
        assertTrue(e.getMessage().contains("dataset.max-side=6"), e.getMessage());
    }
}
