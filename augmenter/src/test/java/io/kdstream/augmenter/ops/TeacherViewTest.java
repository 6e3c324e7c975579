package io.kdstream.augmenter.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.kdstream.core.image.CropBox;
import io.kdstream.core.image.Mixing;
import io.kdstream.core.image.Resampler;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.TeacherView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The teacher-view ablations: independent crops mixed the same way, and fixed whole-image views unmixed. */
class TeacherViewTest {
    private static List<Sample> samples() {
        Random r = new Random(3);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] px = new byte[20 * 20];
            r.nextBytes(px);
            out.add(new Sample(100 + i, 0, 0, i, 100 + i, i % 10, 10, 1, "t", new ImageU8(20, 20, 1, px)));
        }
        return out;
    }

    private static BatchAugmenter augmenter(TeacherView v) {
        return new BatchAugmenter(new InceptionCrop(0.2, 0.6, 0.75, 4.0 / 3), true, 16, 16, MixPolicy.funMatch(), 9, v);
    }

    @Test
    void shouldGiveTheStudentTheSameViewWhateverTheTeacherSees() {
        AugmentedBatch consistent = augmenter(TeacherView.CONSISTENT).augment(samples(), 2, 0, 5);
        for (TeacherView v : List.of(TeacherView.INDEPENDENT, TeacherView.FIXED)) {
            AugmentedBatch b = augmenter(v).augment(samples(), 2, 0, 5);
            assertEquals(v, b.teacherView());
            assertNotNull(b.studentView(), "a separate student view");
            assertArrayEquals(consistent.view().pixels(), b.studentView().pixels(), "student view unchanged by " + v);
            assertArrayEquals(consistent.cropBoxes(), b.cropBoxes());
            assertArrayEquals(consistent.lambdas(), b.lambdas());
            assertArrayEquals(consistent.partners(), b.partners());
            assertArrayEquals(consistent.targets(), b.targets());
            AugmentedBatch back = AugmentedBatch.decode(b.encode());
            assertEquals(v, back.teacherView(), "wire round trip");
            assertArrayEquals(b.view().pixels(), back.view().pixels());
            assertArrayEquals(b.studentView().pixels(), back.studentView().pixels());
        }
    }

    @Test
    void shouldCropTheIndependentTeacherViewElsewhereAndMixItTheSameWay() {
        BatchAugmenter a = augmenter(TeacherView.INDEPENDENT);
        List<Sample> s = samples();
        AugmentedBatch b = a.augment(s, 2, 0, 5);
        assertEquals(MixMode.MIXUP, b.mix());
        int differ = 0;
        for (Sample x : s) {
            BatchAugmenter.Geometry student = a.geometry(x);
            BatchAugmenter.Geometry teacher = a.teacherGeometry(x);
            differ += student.box().equals(teacher.box()) ? 0 : 1;
        }
        assertEquals(s.size(), differ, "every image gets its own teacher crop");
        // the teacher view is the mixup (same partners, same lambda) of the teacher crops
        int px = 16 * 16;
        float[] crops = new float[s.size() * px];
        for (int i = 0; i < s.size(); i++) {
            BatchAugmenter.Geometry g = a.teacherGeometry(s.get(i));
            Resampler.cropResize(s.get(i).image(), g.box(), g.flipped(), 16, 16, crops, i * px);
        }
        float[] expected = Mixing.mixup(crops, s.size(), b.partners(), b.lambdas()[0]);
        assertArrayEquals(expected, b.view().pixels(), 1e-5f);
    }

    @Test
    void shouldShowTheFixedTeacherTheWholeUnmixedImage() {
        List<Sample> s = samples();
        AugmentedBatch b = augmenter(TeacherView.FIXED).augment(s, 2, 0, 5);
        int px = 16 * 16;
        float[] whole = new float[s.size() * px];
        for (int i = 0; i < s.size(); i++) {
            Resampler.cropResize(s.get(i).image(), new CropBox(0, 0, 20, 20), false, 16, 16, whole, i * px);
        }
        assertArrayEquals(whole, b.view().pixels(), 1e-6f);
        // and the same in every epoch, which is what lets the teacher service compute it once
        AugmentedBatch later = augmenter(TeacherView.FIXED).augment(s, 7, 0, 5);
        assertArrayEquals(b.view().pixels(), later.view().pixels());
        assertFalse(Arrays.equals(b.studentView().pixels(), later.studentView().pixels()), "students see new crops");
    }
}
