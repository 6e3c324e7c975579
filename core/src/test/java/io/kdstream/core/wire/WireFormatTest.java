package io.kdstream.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    private static AugmentedBatch batch(boolean withStudentView, MixMode mix) {
        int n = 3;
        int k = 4;
        Random r = new Random(1);
        float[] view = new float[n * 8 * 8 * 1];
        for (int i = 0; i < view.length; i++) {
            view[i] = r.nextFloat() * 255;
        }
        float[] sv = new float[n * 4 * 4];
        for (int i = 0; i < sv.length; i++) {
            sv[i] = r.nextFloat() * 255;
        }
        float[] targets = new float[n * k];
        targets[0] = 0.7f;
        targets[1] = 0.3f;
        return new AugmentedBatch(2, 1, 17, 1_700_000_000_000L, k, mix, new long[] {5, 9, 12}, new int[] {0, 1, -1},
                new long[] {10, 11, 12}, new int[] {1, 2, 0}, new float[] {0.7f, 0.7f, 0.7f}, targets,
                new int[] {0, 0, 28, 28, 1, 2, 20, 21, 3, 3, 10, 12}, new byte[] {1, 0, 1},
                mix == MixMode.CUTMIX ? new float[] {0.1f, 0.2f, 0.5f, 0.6f} : null, new View(n, 8, 8, 1, view),
                withStudentView ? new View(n, 4, 4, 1, sv) : null);
    }

    private static void assertSameBatch(AugmentedBatch a, AugmentedBatch b) {
        assertEquals(a.key(), b.key());
        assertEquals(a.createdAtMs(), b.createdAtMs());
        assertEquals(a.numClasses(), b.numClasses());
        assertEquals(a.mix(), b.mix());
        assertArrayEquals(a.sampleIds(), b.sampleIds());
        assertArrayEquals(a.labels(), b.labels());
        assertArrayEquals(a.loadedAtMs(), b.loadedAtMs());
        assertArrayEquals(a.partners(), b.partners());
        assertArrayEquals(a.lambdas(), b.lambdas());
        assertArrayEquals(a.targets(), b.targets());
        assertArrayEquals(a.cropBoxes(), b.cropBoxes());
        assertArrayEquals(a.flips(), b.flips());
        assertArrayEquals(a.cutBox(), b.cutBox());
        assertEquals(a.view().height(), b.view().height());
        assertArrayEquals(a.view().pixels(), b.view().pixels());
        if (a.studentView() == null) {
            assertNull(b.studentView());
        } else {
            assertArrayEquals(a.studentView().pixels(), b.studentView().pixels());
        }
    }

    @Test
    void shouldRoundTripSample() {
        byte[] px = new byte[28 * 28];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        Sample s = new Sample(42, 3, 2, 7, 1, 9, 10, 123456789L, "train-images-idx3-ubyte.gz#42",
                new ImageU8(28, 28, 1, px));
        Sample back = Sample.decode(s.encode());
        assertEquals(s.sampleId(), back.sampleId());
        assertEquals(s.epoch(), back.epoch());
        assertEquals(s.partition(), back.partition());
        assertEquals(s.indexInEpoch(), back.indexInEpoch());
        assertEquals(s.position(), back.position());
        assertEquals(s.label(), back.label());
        assertEquals(s.numClasses(), back.numClasses());
        assertEquals(s.loadedAtMs(), back.loadedAtMs());
        assertEquals(s.source(), back.source());
        assertArrayEquals(px, back.image().pixels());
        assertEquals("s42", s.key());
    }

    @Test
    void shouldRoundTripEpochEnd() {
        EpochEnd e = new EpochEnd(4, 3, 8, "augmenter", 7500, 59, true, 99L);
        EpochEnd back = EpochEnd.fromFrame(FrameCodec.decode(e.encode()));
        assertEquals(e, back);
    }

    @Test
    void shouldRoundTripAugmentedBatchInEveryMixMode() {
        for (MixMode m : MixMode.values()) {
            for (boolean sv : new boolean[] {false, true}) {
                AugmentedBatch a = batch(sv, m);
                assertSameBatch(a, AugmentedBatch.decode(a.encode()));
            }
        }
    }

    @Test
    void shouldRoundTripAnnotatedBatchInFloat32AndFloat16() {
        AugmentedBatch a = batch(true, MixMode.MIXUP);
        float[] logits = {1.5f, -2.25f, 0f, 3.125f, 0.1f, 0.2f, 0.3f, 0.4f, -7f, 8f, 9f, 10f};
        AnnotatedBatch full = new AnnotatedBatch(a, logits, false, "resnet18", "v2");
        AnnotatedBatch back = AnnotatedBatch.decode(full.encode());
        assertSameBatch(a, back.batch());
        assertArrayEquals(logits, back.teacherLogits());
        assertEquals("resnet18", back.teacherId());
        assertEquals("v2", back.teacherVersion());

        AnnotatedBatch half = AnnotatedBatch.decode(new AnnotatedBatch(a, logits, true, "t", "1").encode());
        assertTrue(half.halfPrecision());
        for (int i = 0; i < logits.length; i++) {
            assertEquals(logits[i], half.teacherLogits()[i], Math.abs(logits[i]) * 1e-3 + 1e-4);
        }
    }

    /** The same batch with its views rounded to {@code e}, as the augmenter makes them. */
    private static AugmentedBatch encoded(AugmentedBatch a, ViewEncoding e) {
        View v = a.view();
        View sv = a.studentView();
        return new AugmentedBatch(a.epoch(), a.partition(), a.seq(), a.createdAtMs(), a.numClasses(), a.mix(),
                a.sampleIds(), a.labels(), a.loadedAtMs(), a.partners(), a.lambdas(), a.targets(), a.cropBoxes(),
                a.flips(), a.cutBox(), View.encoded(v.count(), v.height(), v.width(), v.channels(), v.pixels().clone(), e),
                sv == null ? null : View.encoded(sv.count(), sv.height(), sv.width(), sv.channels(),
                        sv.pixels().clone(), e), a.teacherView());
    }

    @Test
    void shouldCarryViewsInFloat16AndUint8ExactlyAsRoundedAndSmaller() {
        AugmentedBatch exact = batch(true, MixMode.MIXUP);
        int viewValues = exact.view().pixels().length + exact.studentView().pixels().length;
        int float32Bytes = exact.encode().length;
        for (ViewEncoding e : new ViewEncoding[] {ViewEncoding.FLOAT16, ViewEncoding.UINT8}) {
            AugmentedBatch a = encoded(exact, e);
            byte[] bytes = a.encode();
            AugmentedBatch back = AugmentedBatch.decode(bytes);
            assertSameBatch(a, back); // the decoded pixels are exactly the rounded ones the augmenter kept
            assertEquals(e, back.view().encoding());
            assertEquals(e, back.studentView().encoding());
            int perValue = e == ViewEncoding.FLOAT16 ? 2 : 1;
            assertEquals(float32Bytes - (4 - perValue) * viewValues, bytes.length, e + ": only the views shrink");
            for (int i = 0; i < a.view().pixels().length; i++) {
                float x = exact.view().pixels()[i];
                float y = a.view().pixels()[i];
                assertEquals(x, y, e == ViewEncoding.UINT8 ? 0.5f : 0.125f, e + " rounding of " + x);
                if (e == ViewEncoding.UINT8) {
                    assertEquals(Math.round(x), y, 0f);
                }
            }
            // the teacher service re-encodes the batch part: the view bytes (and so their checksum) are unchanged
            AnnotatedBatch annotated = AnnotatedBatch.decode(new AnnotatedBatch(back, new float[3 * 4], false, "t",
                    "1").encode());
            assertEquals(AugmentedBatch.crc32c(a.view().toTensor("view")),
                    AugmentedBatch.crc32c(annotated.batch().view().toTensor("view")));
            assertSameBatch(a, annotated.batch());
        }
    }

    @Test
    void shouldRoundUint8ViewsToWholeInRangeValues() {
        float[] px = {-3f, 0.49f, 0.5f, 12.5f, 254.6f, 255f, 300f, 17.2f};
        assertArrayEquals(new float[] {0, 0, 1, 13, 255, 255, 255, 17}, ViewEncoding.UINT8.round(px.clone()));
        View v = View.encoded(1, 2, 4, 1, px.clone(), ViewEncoding.UINT8);
        Tensor t = v.toTensor("view");
        assertEquals(DType.UINT8, t.dtype());
        assertArrayEquals(new byte[] {0, 0, 1, 13, (byte) 255, (byte) 255, (byte) 255, 17}, t.toBytes());
        float[] whole = {0, 1, 2, 127, 200, 255};
        assertArrayEquals(whole, ViewEncoding.FLOAT16.round(whole.clone()), "float16 keeps whole pixel values");
    }

    @Test
    void shouldRejectAViewOfAnotherType() {
        Tensor ints = Tensor.ofInts("view", new int[] {1, 1, 1, 1}, new int[] {3});
        WireFormatException e = assertThrows(WireFormatException.class, () -> View.fromTensor(ints));
        assertTrue(e.getMessage().contains("float32, float16 or uint8"), e.getMessage());
    }

    @Test
    void shouldRoundTripTheMembersOfATeacherEnsemble() {
        AugmentedBatch a = batch(true, MixMode.MIXUP);
        float[] logits = new float[12];
        float[] each = new float[2 * 12];
        for (int i = 0; i < each.length; i++) {
            each[i] = i * 0.5f - 3;
        }
        AnnotatedBatch back = AnnotatedBatch.decode(new AnnotatedBatch(a, logits, false, "a+b", "1",
                java.util.List.of("a", "b"), each).encode());
        assertEquals(java.util.List.of("a", "b"), back.memberIds());
        assertArrayEquals(each, back.memberLogits());
        AnnotatedBatch single = AnnotatedBatch.decode(new AnnotatedBatch(a, logits, false, "t", "1").encode());
        assertTrue(single.memberIds().isEmpty() && single.memberLogits() == null, "no members for one teacher");
        assertThrows(WireFormatException.class, () -> new AnnotatedBatch(a, logits, false, "a+b", "1",
                java.util.List.of("a", "b"), new float[12]), "M*N*K member logits");
    }

    @Test
    void shouldLayOutHeaderAsDocumented() {
        byte[] bytes = new EpochEnd(4, 3, 8, "loader", 10, 0, false, 99L).encode();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('K', b.get(0));
        assertEquals('D', b.get(1));
        assertEquals('S', b.get(2));
        assertEquals('T', b.get(3));
        assertEquals(1, b.getShort(4));
        assertEquals(RecordKind.EPOCH_END.code(), b.get(6));
        assertEquals(4, b.getInt(8));
        assertEquals(3, b.getInt(12));
        assertEquals(0L, b.getLong(16));
        assertEquals(99L, b.getLong(24));
        assertEquals(5, b.getShort(32), "property count");
    }

    @Test
    void shouldRejectForeignMagicUnknownVersionAndTruncation() {
        byte[] good = batch(false, MixMode.NONE).encode();
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertTrue(assertThrows(WireFormatException.class, () -> FrameCodec.decode(magic)).getMessage()
                .contains("magic"));
        byte[] version = good.clone();
        version[4] = 9;
        assertTrue(assertThrows(WireFormatException.class, () -> FrameCodec.decode(version)).getMessage()
                .contains("version 9"));
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 10);
        assertThrows(WireFormatException.class, () -> FrameCodec.decode(cut));
        assertThrows(WireFormatException.class, () -> FrameCodec.decode(new byte[3]));
        assertThrows(WireFormatException.class, () -> FrameCodec.decode(null));
    }

    @Test
    void shouldDetectEditedViewBytesByChecksum() {
        byte[] bytes = batch(false, MixMode.MIXUP).encode();
        bytes[bytes.length - 3] ^= 0x40; // inside the last float of the view tensor
        WireFormatException e = assertThrows(WireFormatException.class, () -> AugmentedBatch.decode(bytes));
        assertTrue(e.getMessage().contains("CRC-32C"), e.getMessage());
    }

    @Test
    void shouldRejectTeacherLogitsOfWrongShape() {
        AugmentedBatch a = batch(false, MixMode.NONE);
        assertThrows(WireFormatException.class, () -> new AnnotatedBatch(a, new float[5], false, "t", "1"));
        Frame bad = Frame.builder(RecordKind.ANNOTATED_BATCH).build();
        assertThrows(WireFormatException.class, () -> AnnotatedBatch.decode(FrameCodec.encode(bad)));
    }

    @Test
    void shouldConvertHalfPrecisionExactlyWhereRepresentable() {
        for (float f : new float[] {0f, -0f, 1f, -2f, 0.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
            assertEquals(f, Half.toFloat(Half.fromFloat(f)), 0f, "value " + f);
        }
        assertTrue(Float.isInfinite(Half.toFloat(Half.fromFloat(1e6f))));
        assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
    }
}
