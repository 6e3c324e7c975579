package io.kdstream.augmenter.ops;

import io.kdstream.core.image.CropBox;
import io.kdstream.core.image.Mixing;
import io.kdstream.core.image.Resampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationMathTest {
    private static final InceptionCrop CROP = new InceptionCrop(0.08, 1.0, 3.0 / 4, 4.0 / 3);

    private static List<Sample> samples(int n, int h, int w, int c) {
        return samples(n, h, w, c, 3);
    }

    private static List<Sample> samples(int n, int h, int w, int c, int epoch) {
        Random r = new Random(7);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[h * w * c];
            r.nextBytes(px);
            out.add(new Sample(100 + i, epoch, 1, i, i, i % 10, 10, 1000 + i, "test", new ImageU8(h, w, c, px)));
        }
        return out;
    }

    private static BatchAugmenter augmenter(MixPolicy mix, int teacher, int student) {
        return new BatchAugmenter(CROP, true, teacher, student, mix, 99);
    }

    @Test
    void shouldKeepCropBoxesInsideTheImageAndWithinConfiguredRanges() {
        SplittableRandom rnd = new SplittableRandom(1);
        double minArea = 1;
        double maxArea = 0;
        for (int t = 0; t < 20000; t++) {
            CropBox b = CROP.sample(300, 400, rnd);
            assertTrue(b.inside(300, 400), b.toString());
            double area = (double) b.height() * b.width() / (300 * 400);
            double ratio = (double) b.width() / b.height();
            assertTrue(area >= 0.08 * 0.97 && area <= 1.0, "area " + area);
            assertTrue(ratio >= 0.75 * 0.97 && ratio <= 4.0 / 3 * 1.03, "ratio " + ratio);
            minArea = Math.min(minArea, area);
            maxArea = Math.max(maxArea, area);
        }
        assertTrue(minArea < 0.1 && maxArea > 0.9, "range covered: " + minArea + ".." + maxArea);
        InceptionCrop mild = new InceptionCrop(0.35, 1.0, 3.0 / 4, 4.0 / 3);
        for (int t = 0; t < 20000; t++) {
            CropBox b = mild.sample(28, 28, rnd);
            assertTrue(b.inside(28, 28), b.toString());
            assertTrue(b.height() * b.width() >= 0.35 * 784 * 0.85, b.toString());
        }
        // an extreme panorama falls back to the largest centred crop within the ratio range
        CropBox fallback = new InceptionCrop(0.9, 1.0, 3.0 / 4, 4.0 / 3).sample(10, 1000, new SplittableRandom(3));
        assertTrue(fallback.inside(10, 1000));
        assertEquals(10, fallback.height());
        assertEquals(13, fallback.width());
    }

    @Test
    void shouldResizeExactlyAtIdentityMirrorOnFlipAndAntialiasWhenShrinking() {
        ImageU8 img = samples(1, 6, 8, 3).get(0).image();
        float[] out = new float[6 * 8 * 3];
        Resampler.cropResize(img, new CropBox(0, 0, 6, 8), false, 6, 8, out, 0);
        for (int i = 0; i < out.length; i++) {
            assertEquals(img.pixels()[i] & 0xff, out[i], 1e-4);
        }
        Resampler.cropResize(img, new CropBox(0, 0, 6, 8), true, 6, 8, out, 0);
        assertEquals(img.at(2, 0, 1), out[(2 * 8 + 7) * 3 + 1], 1e-4);
        // 2x shrink of a 1-pixel checkerboard averages to its mean instead of aliasing
        byte[] checker = new byte[16 * 16];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                checker[y * 16 + x] = (byte) (((x + y) & 1) == 0 ? 0 : 200);
            }
        }
        float[] small = new float[4 * 4];
        Resampler.cropResize(new ImageU8(16, 16, 1, checker), new CropBox(0, 0, 16, 16), false, 4, 4, small, 0);
        for (float v : small) {
            assertEquals(100, v, 15);
        }
    }

    @Test
    void shouldDrawBetaWithTheRightMean() {
        SplittableRandom rnd = new SplittableRandom(5);
        double sum = 0;
        double edge = 0;
        for (int i = 0; i < 20000; i++) {
            sum += BetaSampler.beta(2, 5, rnd);
            double u = BetaSampler.beta(0.2, 0.2, rnd);
            edge += (u < 0.1 || u > 0.9) ? 1 : 0;
        }
        assertEquals(2.0 / 7, sum / 20000, 0.01);
        assertTrue(edge / 20000 > 0.6, "Beta(0.2,0.2) puts most mass near 0 and 1");
    }

    @Test
    void shouldMixEachPixelAsLambdaTimesOwnPlusRestTimesNext() {
        List<Sample> s = samples(5, 28, 28, 1);
        AugmentedBatch plain = augmenter(MixPolicy.none(), 28, 28).augment(s, 3, 1, 0);
        AugmentedBatch mixed = augmenter(MixPolicy.funMatch(), 28, 28).augment(s, 3, 1, 0);
        assertEquals(MixMode.MIXUP, mixed.mix());
        float a = mixed.lambdas()[0];
        assertTrue(a >= 0.5f && a <= 1f, "FunMatch lambda = max(a, 1-a): " + a);
        float[] x = plain.view().pixels();
        float[] v = mixed.view().pixels();
        int size = 28 * 28;
        for (int i = 0; i < 5; i++) {
            int j = mixed.partners()[i];
            assertEquals((i + 1) % 5, j);
            for (int p = 0; p < size; p++) {
                assertEquals(a * x[i * size + p] + (1 - a) * x[j * size + p], v[i * size + p], 1e-3);
            }
            float[] t = java.util.Arrays.copyOfRange(mixed.targets(), i * 10, i * 10 + 10);
            assertEquals(a, t[s.get(i).label()], 1e-6);
            assertEquals(1 - a, t[s.get(j).label()], 1e-6);
        }
        assertArrayEquals(plain.cropBoxes(), mixed.cropBoxes(), "mixing must not change the crops");
    }

    @Test
    void shouldMatchCutmixAreaToItsTargetWeight() {
        List<Sample> s = samples(4, 40, 40, 3);
        MixPolicy cutmix = new MixPolicy(MixPolicy.Choice.CUTMIX, 1, false, 1.0, 0.5, 1.0);
        AugmentedBatch plain = augmenter(MixPolicy.none(), 32, 32).augment(s, 3, 1, 0);
        int checked = 0;
        for (int seq = 0; seq < 20; seq++) {
            AugmentedBatch b = augmenter(cutmix, 32, 32).augment(s, 3, 1, seq);
            AugmentedBatch ref = augmenter(MixPolicy.none(), 32, 32).augment(s, 3, 1, seq);
            assertEquals(MixMode.CUTMIX, b.mix());
            assertNotNull(b.cutBox());
            int[] r = Mixing.rasterize(b.cutBox(), 32, 32);
            int size = 32 * 32 * 3;
            for (int i = 0; i < 4; i++) {
                int j = b.partners()[i];
                int fromPartner = 0;
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        boolean in = y >= r[0] && y < r[2] && x >= r[1] && x < r[3];
                        int at = (y * 32 + x) * 3;
                        float expected = (in ? ref.view().pixels()[j * size + at] : ref.view().pixels()[i * size + at]);
                        assertEquals(expected, b.view().pixels()[i * size + at], 0f);
                        fromPartner += in ? 1 : 0;
                    }
                }
                float kept = 1f - fromPartner / 1024f;
                assertEquals(kept, b.lambdas()[i], 1e-6, "target weight = kept area");
                float[] t = java.util.Arrays.copyOfRange(b.targets(), i * 10, i * 10 + 10);
                int li = s.get(i).label();
                int lj = s.get(j).label();
                assertEquals(kept, t[li], 1e-6);
                assertEquals(1 - kept, t[lj], 1e-6);
                checked++;
            }
        }
        assertEquals(80, checked);
        assertEquals(MixMode.NONE, plain.mix());
    }

    @Test
    void shouldKeepTeacherAndStudentViewsIdentical() {
        List<Sample> s = samples(6, 60, 60, 1);
        // smooth images, so resolution changes keep content comparable
        for (Sample x : s) {
            byte[] px = x.image().pixels();
            for (int y = 0; y < 60; y++) {
                for (int c = 0; c < 60; c++) {
                    px[y * 60 + c] = (byte) ((y * 4 + c * 2 + x.sampleId()) % 256 / 2);
                }
            }
        }
        BatchAugmenter two = augmenter(MixPolicy.funMatch(), 56, 28);
        AugmentedBatch b = two.augment(s, 3, 1, 0);
        assertNotNull(b.studentView());
        assertEquals(56, b.view().height());
        assertEquals(28, b.studentView().height());
        float lam = b.lambdas()[0];
        float[] own = new float[28 * 28];
        float[] next = new float[28 * 28];
        for (int i = 0; i < 6; i++) {
            // the student's view is exactly the same box and flip resized to 28, mixed with the same lambda
            BatchAugmenter.Geometry g = two.geometry(s.get(i));
            assertArrayEquals(new int[] {g.box().top(), g.box().left(), g.box().height(), g.box().width()},
                    java.util.Arrays.copyOfRange(b.cropBoxes(), i * 4, i * 4 + 4));
            BatchAugmenter.Geometry gj = two.geometry(s.get((i + 1) % 6));
            Resampler.cropResize(s.get(i).image(), g.box(), g.flipped(), 28, 28, own, 0);
            Resampler.cropResize(s.get((i + 1) % 6).image(), gj.box(), gj.flipped(), 28, 28, next, 0);
            for (int p = 0; p < 28 * 28; p++) {
                assertEquals(lam * own[p] + (1 - lam) * next[p], b.studentView().pixels()[i * 784 + p], 1e-3);
            }
            // and the teacher's 56px view, averaged 2x2, shows the same picture
            double diff = 0;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    float t = (b.view().at(i, 2 * y, 2 * x, 0) + b.view().at(i, 2 * y + 1, 2 * x, 0)
                            + b.view().at(i, 2 * y, 2 * x + 1, 0) + b.view().at(i, 2 * y + 1, 2 * x + 1, 0)) / 4;
                    diff += Math.abs(t - b.studentView().at(i, y, x, 0));
                }
            }
            assertTrue(diff / 784 < 2.0, "teacher and student views differ by " + diff / 784 + " per pixel");
        }
        AugmentedBatch single = augmenter(MixPolicy.funMatch(), 28, 28).augment(s, 3, 1, 0);
        assertNull(single.studentView(), "equal resolutions share one view");
    }

    @Test
    void shouldReproduceBatchesFromSeedsAlone() {
        List<Sample> s = samples(8, 28, 28, 1);
        MixPolicy sw = new MixPolicy(MixPolicy.Choice.SWITCH, 0.8, false, 1.0, 0.5, 1.0);
        AugmentedBatch a = augmenter(sw, 28, 28).augment(s, 3, 1, 4);
        AugmentedBatch b = augmenter(sw, 28, 28).augment(s, 3, 1, 4);
        assertArrayEquals(a.view().pixels(), b.view().pixels());
        AugmentedBatch other = augmenter(sw, 28, 28).augment(samples(8, 28, 28, 1, 4), 4, 1, 4);
        assertTrue(!java.util.Arrays.equals(a.cropBoxes(), other.cropBoxes()), "a new epoch draws new crops");
        int cut = 0;
        for (int seq = 0; seq < 200; seq++) {
            cut += augmenter(sw, 28, 28).augment(s.subList(0, 2), 3, 1, seq).mix() == MixMode.CUTMIX ? 1 : 0;
        }
        assertTrue(cut > 70 && cut < 130, "switch picks cutmix about half the time: " + cut);
    }
}
