package io.kdstream.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The records of {@code loader.ship=reference}: a SAMPLE that names a file, and a batch of view records. */
class ViewRecordWireTest {
    private static AugmentedBatch batch(ViewRecipe recipe) {
        int[] labels = {2, 0, -1};
        int[] partners = {1, 2, 0};
        float[] lambdas = {0.7f, 0.7f, 0.7f};
        return new AugmentedBatch(1, 0, 4, 99, 3, MixMode.MIXUP, new long[] {5, 6, 7}, labels, new long[3],
                partners, lambdas, AugmentedBatch.mixedTargets(labels, partners, lambdas, 3),
                new int[] {0, 0, 10, 10, 1, 1, 5, 5, 2, 2, 8, 8}, new byte[] {0, 1, 0}, null, null, null,
                TeacherView.CONSISTENT, recipe);
    }

    private static ViewRecipe recipe(int viewSize, List<String> paths, int[] sizes) {
        return new ViewRecipe("/data/img", paths, sizes, 3, 4096, viewSize, viewSize, ViewEncoding.UINT8, -1);
    }

    @Test
    void shouldCarryAFileNameInsteadOfPixels() {
        SampleRef r = new SampleRef(12, 3, 1, 40, 20, 7, 100, 123, "/data/img", "class007/00012.jpg", 350, 400, 3,
                4096);
        Frame f = FrameCodec.decode(r.encode());
        assertTrue(SampleRef.isReference(f));
        assertFalse(EncodedSample.isEncoded(f));
        assertEquals(r, SampleRef.fromFrame(f));
        assertTrue(r.encode().length < 400, r.encode().length + " B");
        assertThrows(WireFormatException.class, () -> new SampleRef(1, 0, 0, 0, 0, 0, 2, 0, "/d", "a\nb", 5, 5, 3, 9));
    }

    @Test
    void shouldCarryViewRecordsWithoutPixelsOrTargetsAndDeriveTheTargets() {
        AugmentedBatch b = batch(recipe(224, List.of("a/1.jpg", "a/2.jpg", "b/3.png"), new int[] {10, 10, 6, 6, 9, 9}));
        byte[] bytes = b.encode();
        Frame f = FrameCodec.decode(bytes);
        assertNull(f.optionalTensor("view"));
        assertNull(f.optionalTensor("target"));
        AugmentedBatch back = AugmentedBatch.decode(bytes);
        assertTrue(back.hasRecipe());
        assertNull(back.view());
        assertEquals(b.recipe().paths(), back.recipe().paths());
        assertArrayEquals(b.recipe().sourceSizes(), back.recipe().sourceSizes());
        assertEquals(-1, back.recipe().teacherViewCrc());
        assertArrayEquals(b.targets(), back.targets(), 0f);
        assertThrows(IllegalStateException.class, back::trainingView);
        // the teacher's checksum travels with the annotated batch
        AugmentedBatch rendered = b.withViews(null, null, b.recipe().withTeacherViewCrc(0xABCDL));
        assertEquals(0xABCDL, AnnotatedBatch.decode(new AnnotatedBatch(rendered, new float[9], false, "t", "1")
                .encode()).batch().recipe().teacherViewCrc());
    }

    @Test
    void shouldRefuseRecipesNoConsumerCouldRender() {
        assertThrows(WireFormatException.class, () -> recipe(100_000, List.of("a"), new int[] {5, 5}));
        assertThrows(WireFormatException.class, () -> recipe(224, List.of(), new int[0]));
        assertThrows(WireFormatException.class, () -> recipe(224, List.of("a"), new int[] {5, 0}));
        assertThrows(WireFormatException.class, () -> recipe(224, List.of("a", "b"), new int[] {5, 5}));
        assertThrows(WireFormatException.class, () -> batch(recipe(224, List.of("a"), new int[] {5, 5})));
    }
}
