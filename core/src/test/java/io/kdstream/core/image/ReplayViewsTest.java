package io.kdstream.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.View;
import io.kdstream.core.wire.ViewEncoding;
import io.kdstream.core.wire.WireFormatException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayViewsTest {
    private static final int N = 6;
    private static final int SIZE = 12;

    /** A batch made the augmenter's way from {@code images}: crops, flips, then the mixing. */
    private static AugmentedBatch batch(ImageU8[] images, MixMode mix, ViewEncoding encoding) {
        Random r = new Random(5);
        int[] boxes = new int[N * 4];
        byte[] flips = new byte[N];
        float[] crops = new float[N * SIZE * SIZE];
        for (int i = 0; i < N; i++) {
            int h = 8 + r.nextInt(20);
            int w = 8 + r.nextInt(20);
            boxes[i * 4] = r.nextInt(28 - h);
            boxes[i * 4 + 1] = r.nextInt(28 - w);
            boxes[i * 4 + 2] = h;
            boxes[i * 4 + 3] = w;
            flips[i] = (byte) r.nextInt(2);
            ViewRendering.crop(images[i], i, boxes, flips, SIZE, crops);
        }
        int[] partners = new int[N];
        float[] lambdas = new float[N];
        for (int i = 0; i < N; i++) {
            partners[i] = mix == MixMode.NONE ? i : (i + 1) % N;
            lambdas[i] = mix == MixMode.NONE ? 1f : 0.7f;
        }
        float[] cut = mix == MixMode.CUTMIX ? new float[] {0.1f, 0.2f, 0.6f, 0.9f} : null;
        float[] views = ViewRendering.mixAll(crops, N, SIZE, 1, mix, partners, 0.7f, cut, encoding);
        long[] ids = {3, 0, 7, 1, 5, 2};
        int[] labels = {1, 2, 3, 4, 5, 6};
        return new AugmentedBatch(2, 1, 9, 0, 10, mix, ids, labels, new long[N], partners, lambdas,
                AugmentedBatch.mixedTargets(labels, partners, lambdas, 10), boxes, flips, cut,
                new View(N, SIZE, SIZE, 1, views, encoding), null);
    }

    private static ImageU8[] dataset() {
        Random r = new Random(11);
        ImageU8[] all = new ImageU8[8];
        for (int i = 0; i < all.length; i++) {
            byte[] px = new byte[28 * 28];
            r.nextBytes(px);
            all[i] = new ImageU8(28, 28, 1, px);
        }
        return all;
    }

    @Test
    void shouldRenderTheAugmentersViewAgainFromTheRecordAlone() throws Exception {
        ImageU8[] data = dataset();
        long[] ids = {3, 0, 7, 1, 5, 2};
        ImageU8[] images = new ImageU8[N];
        for (int i = 0; i < N; i++) {
            images[i] = data[(int) ids[i]];
        }
        for (MixMode mix : MixMode.values()) {
            for (ViewEncoding enc : ViewEncoding.values()) {
                AugmentedBatch live = batch(images, mix, enc);
                Frame stripped = ReplayViews.strip(live.toFrame());
                assertNull(stripped.optionalTensor("view"), "no pixels");
                assertNull(stripped.optionalTensor("target"), "no targets: they follow from labels and lambdas");
                int bytes = FrameCodec.encode(stripped).length;
                assertTrue(bytes < FrameCodec.encode(live.toFrame()).length / 2, mix + " " + enc + ": " + bytes);
                Frame back = ReplayViews.restore(FrameCodec.decode(FrameCodec.encode(stripped)), id -> data[(int) id]);
                AugmentedBatch replayed = AugmentedBatch.fromFrame(back); // verifies the augmenter's CRC-32C
                assertArrayEquals(live.view().pixels(), replayed.view().pixels(), mix + " " + enc);
                assertArrayEquals(live.targets(), replayed.targets());
                assertEquals(live.key(), replayed.key());
            }
        }
    }

    @Test
    void shouldRefuseAnotherDatasetsImages() {
        ImageU8[] data = dataset();
        AugmentedBatch live = batch(new ImageU8[] {data[3], data[0], data[7], data[1], data[5], data[2]},
                MixMode.MIXUP, ViewEncoding.UINT8);
        Frame stripped = ReplayViews.strip(live.toFrame());
        ImageU8[] other = dataset();
        other[7] = new ImageU8(28, 28, 1, new byte[28 * 28]); // one image changed
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> AugmentedBatch.fromFrame(ReplayViews.restore(stripped, id -> other[(int) id])));
        assertTrue(e.getMessage().contains("e2-p1-b9") && e.getMessage().contains("CRC-32C"), e.getMessage());
    }
}
