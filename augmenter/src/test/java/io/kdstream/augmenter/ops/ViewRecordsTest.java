package io.kdstream.augmenter.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.image.BatchRenderer;
import io.kdstream.core.image.ImageDecoder;
import io.kdstream.core.image.RenderException;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.SampleRef;
import io.kdstream.core.wire.ViewEncoding;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.ImageFolderDataset;
import io.kdstream.loader.dataset.SyntheticImageFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * View records ({@code loader.ship=reference}): the batch names files and geometry, and the teacher and the student
 * render from the files exactly the views the augmenter renders from pixels, whatever the mixing; the record stays
 * small; a file that changed or a forged path is refused, naming it.
 */
class ViewRecordsTest {
    @TempDir
    static Path tmp;
    static Path root;
    static ImageFolderDataset data;

    @BeforeAll
    static void folder() {
        root = tmp.resolve("img");
        SyntheticImageFolder.write(root, 3, 4, 0, 11);
        data = new ImageFolderDataset("img", root, true, 3, new ImageDecoder(3, 4096), 3);
    }

    private static BatchAugmenter augmenter(int teacher, int student, ViewEncoding encoding) {
        return new BatchAugmenter(new InceptionCrop(0.2, 1, 0.75, 4.0 / 3), true, teacher, student,
                new MixPolicy(MixPolicy.Choice.SWITCH, 1.0, true, 1.0, 0.5, 0.7), 5,
                io.kdstream.core.wire.TeacherView.CONSISTENT, encoding);
    }

    private static List<Sample> samples(int from, int n) throws Exception {
        List<Sample> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            Dataset.Item it = data.read(i);
            out.add(new Sample(i, 1, 0, i, i, it.label(), 3, 7, it.source(), it.image()));
        }
        return out;
    }

    private static List<SampleRef> refs(int from, int n) throws Exception {
        List<SampleRef> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            Dataset.Reference r = data.readReference(i);
            out.add(new SampleRef(i, 1, 0, i, i, r.label(), 3, 7, r.root(), r.path(), r.height(), r.width(), 3, 4096));
        }
        return out;
    }

    @Test
    void shouldRenderFromFilesExactlyTheViewsTheAugmenterRendersFromPixels() throws Exception {
        Set<MixMode> seen = EnumSet.noneOf(MixMode.class);
        try (BatchRenderer renderer = new BatchRenderer(2)) {
            for (int[] sizes : new int[][] {{48, 24}, {32, 32}}) {
                BatchAugmenter a = augmenter(sizes[0], sizes[1], ViewEncoding.UINT8);
                for (long seq = 0; seq < 12; seq++) {
                    int from = (int) (seq % 3) * 3;
                    AugmentedBatch pixels = a.augment(samples(from, 4), 1, 0, seq, seq % 2);
                    AugmentedBatch planned = a.plan(refs(from, 4), 1, 0, seq, seq % 2);
                    seen.add(planned.mix());
                    byte[] record = planned.encode();
                    assertTrue(record.length < 2_000, "a batch of 4 view records takes " + record.length + " B");
                    AugmentedBatch wire = AugmentedBatch.decode(record);
                    assertNull(wire.view());
                    assertArrayEquals(pixels.cropBoxes(), wire.cropBoxes());
                    assertArrayEquals(pixels.flips(), wire.flips());
                    assertArrayEquals(pixels.targets(), wire.targets(), 0f);
                    assertEquals(pixels.mix(), wire.mix());

                    AugmentedBatch teacher = renderer.renderTeacher(wire);
                    assertArrayEquals(pixels.view().pixels(), teacher.view().pixels(), "teacher view, batch " + seq);
                    // the teacher republishes the records, not the pixels, with its view's checksum
                    byte[] annotated = new AnnotatedBatch(teacher, new float[4 * 3], true, "t", "1").encode();
                    assertTrue(annotated.length < 2_000, "annotated view records take " + annotated.length + " B");
                    AugmentedBatch atStudent = AnnotatedBatch.decode(annotated).batch();
                    assertEquals(teacher.recipe().teacherViewCrc(), atStudent.recipe().teacherViewCrc());
                    AugmentedBatch student = renderer.renderStudent(atStudent);
                    assertArrayEquals(pixels.trainingView().pixels(), student.trainingView().pixels(),
                            "student view, batch " + seq);
                }
            }
        }
        assertEquals(EnumSet.allOf(MixMode.class), seen, "mixup, cutmix and unmixed batches covered");
    }

    @Test
    void shouldRefuseAFileThatChangedOrAForgedPathNamingIt(@TempDir Path other) throws Exception {
        Path copy = other.resolve("img");
        SyntheticImageFolder.write(copy, 3, 4, 0, 11);
        ImageFolderDataset copied = new ImageFolderDataset("img", copy, true, 3, new ImageDecoder(3, 4096), 3);
        List<SampleRef> refs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Dataset.Reference r = copied.readReference(i);
            refs.add(new SampleRef(i, 0, 0, i, i, r.label(), 3, 7, r.root(), r.path(), r.height(), r.width(), 3, 4096));
        }
        BatchAugmenter a = augmenter(32, 32, ViewEncoding.UINT8);
        try (BatchRenderer renderer = new BatchRenderer(2)) {
            AugmentedBatch annotated = AnnotatedBatch.decode(new AnnotatedBatch(renderer.renderTeacher(
                    a.plan(refs, 0, 0, 0, 0)), new float[4 * 3], false, "t", "1").encode()).batch();

            assertArrayEquals(renderer.renderTeacher(annotated).view().pixels(),
                    renderer.renderStudent(annotated).view().pixels(), "untouched files: the same view");

            // the same size, other pixels (every pixel darkened, written as PNG): only the checksum can tell
            Path second = copy.resolve(refs.get(1).path());
            byte[] original = Files.readAllBytes(second);
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(second.toFile());
            java.awt.image.BufferedImage dark = new java.awt.image.BufferedImage(img.getWidth(), img.getHeight(),
                    java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    dark.setRGB(x, y, (img.getRGB(x, y) >> 1) & 0x7f7f7f);
                }
            }
            javax.imageio.ImageIO.write(dark, "png", second.toFile());
            RenderException differs = assertThrows(RenderException.class, () -> renderer.renderStudent(annotated));
            assertTrue(differs.getMessage().contains("other pixels than the teacher")
                    && differs.getMessage().contains(annotated.key()), differs.getMessage());

            // another size: the file changed since the loader read it
            Files.write(second, original);
            Path third = copy.resolve(refs.get(2).path());
            byte[] thirdOriginal = Files.readAllBytes(third);
            javax.imageio.ImageIO.write(dark, "png", third.toFile());
            RenderException changed = assertThrows(RenderException.class, () -> renderer.renderStudent(annotated));
            assertTrue(changed.getMessage().contains(third.toString()) && changed.getMessage().contains("changed"),
                    changed.getMessage());
            Files.write(third, thirdOriginal);

            // a path that leaves the dataset folder
            List<SampleRef> forged = new ArrayList<>(refs);
            SampleRef r = refs.get(0);
            forged.set(0, new SampleRef(r.sampleId(), 0, 0, 0, 0, r.label(), 3, 7, r.root(), "../../etc/passwd",
                    r.height(), r.width(), 3, 4096));
            RenderException outside = assertThrows(RenderException.class,
                    () -> renderer.renderTeacher(a.plan(forged, 0, 0, 0, 0)));
            assertTrue(outside.getMessage().contains("outside the dataset folder"), outside.getMessage());

            // a missing file
            Files.delete(copy.resolve(refs.get(3).path()));
            RenderException missing = assertThrows(RenderException.class,
                    () -> renderer.renderTeacher(a.plan(refs, 0, 0, 0, 0)));
            assertTrue(missing.getMessage().contains(refs.get(3).path()) && missing.getMessage().contains(
                    "loader.ship=reference"), missing.getMessage());
        }
    }
}
