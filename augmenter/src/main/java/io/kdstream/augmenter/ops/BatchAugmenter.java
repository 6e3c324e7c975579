package io.kdstream.augmenter.ops;

import io.kdstream.core.image.CropBox;
import io.kdstream.core.image.Mixing;
import io.kdstream.core.image.ViewRendering;

import io.kdstream.core.Seeds;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.SampleRef;
import io.kdstream.core.wire.TeacherView;
import io.kdstream.core.wire.View;
import io.kdstream.core.wire.ViewEncoding;
import io.kdstream.core.wire.ViewRecipe;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns the samples of one batch into an {@link AugmentedBatch}: per sample ONE inception crop box and flip,
 * resized to the teacher's view and, from the same box and flip, to the student's view; then one mixing decision
 * per batch applied identically to both views (mixup with image i+1, or cutmix with the same normalized box).
 * Random choices are seeded by (seed, epoch, sample id) and (seed, epoch, partition, batch), so a batch is
 * reproducible whoever computes it. Pure and thread-safe.
 *
 * <p>For the ablations of "A good teacher is patient and consistent" the teacher's view can instead be
 * {@link TeacherView#INDEPENDENT} (its own crop box and flip, seeded separately, mixed the same way) or
 * {@link TeacherView#FIXED} (the unmixed whole image, resized; the teacher service mixes its predictions).
 */
public final class BatchAugmenter {
    private final InceptionCrop crop;
    private final boolean flip;
    private final int teacherSize;
    private final int studentSize;
    private final MixPolicy mix;
    private final long seed;
    private final TeacherView teacherView;
    private final ViewEncoding encoding;

    /** A consistent augmenter: the teacher sees exactly the student's view. */
    public BatchAugmenter(InceptionCrop crop, boolean flip, int teacherSize, int studentSize, MixPolicy mix, long seed) {
        this(crop, flip, teacherSize, studentSize, mix, seed, TeacherView.CONSISTENT);
    }

    /**
     * @param crop        the crop distribution
     * @param flip        random horizontal flips with probability 1/2
     * @param teacherSize side of the teacher's view
     * @param studentSize side of the student's view; equal to teacherSize for one shared view
     * @param mix         the mixing policy
     * @param seed        the run seed
     * @param teacherView consistent, independent or fixed
     */
    public BatchAugmenter(InceptionCrop crop, boolean flip, int teacherSize, int studentSize, MixPolicy mix, long seed,
                          TeacherView teacherView) {
        this(crop, flip, teacherSize, studentSize, mix, seed, teacherView, ViewEncoding.FLOAT32);
    }

    /**
     * As above, with the views rounded to {@code encoding} (what the augmented record carries).
     */
    public BatchAugmenter(InceptionCrop crop, boolean flip, int teacherSize, int studentSize, MixPolicy mix, long seed,
                          TeacherView teacherView, ViewEncoding encoding) {
        if (teacherSize < 1 || studentSize < 1) {
            throw new IllegalArgumentException("view sizes must be >= 1");
        }
        this.crop = crop;
        this.flip = flip;
        this.teacherSize = teacherSize;
        this.studentSize = studentSize;
        this.mix = mix;
        this.seed = seed;
        this.teacherView = teacherView;
        this.encoding = encoding;
    }

    /** The crop box and flip of one sample in one epoch. */
    public record Geometry(CropBox box, boolean flipped) {
    }

    /** The seeded geometry of a sample: the same for the teacher's and the student's view. */
    public Geometry geometry(Sample s) {
        return geometry(s.epoch(), s.sampleId(), s.image().height(), s.image().width(), 1, 0);
    }

    /** The teacher's geometry: the student's, another seeded draw (independent) or the whole image (fixed). */
    public Geometry teacherGeometry(Sample s) {
        return teacherGeometry(s, 0);
    }

    private Geometry teacherGeometry(Sample s, long variant) {
        int h = s.image().height();
        int w = s.image().width();
        return switch (teacherView) {
            case CONSISTENT -> geometry(s.epoch(), s.sampleId(), h, w, 1, variant);
            case INDEPENDENT -> geometry(s.epoch(), s.sampleId(), h, w, 3, variant);
            case FIXED -> new Geometry(new CropBox(0, 0, h, w), false);
        };
    }

    /** Variant 0 is the sample's one geometry of the epoch; other variants draw fresh ones (a repeated sample, DLB). */
    private Geometry geometry(int epoch, long sampleId, int height, int width, int stream, long variant) {
        SplittableRandom rnd = new SplittableRandom(variant == 0 ? Seeds.mix(seed, epoch, sampleId, stream)
                : Seeds.mix(seed, epoch, sampleId, stream, variant));
        CropBox box = crop.sample(height, width, rnd);
        return new Geometry(box, flip && rnd.nextBoolean());
    }

    /**
     * Augments and mixes one batch. All samples must have the same channel count and class count.
     *
     * @param samples   the batch, in order
     * @param epoch     the epoch
     * @param partition the source partition
     * @param seq       the batch number within (epoch, partition)
     */
    public AugmentedBatch augment(List<Sample> samples, int epoch, int partition, long seq) {
        return augment(samples, epoch, partition, seq, 0);
    }

    /**
     * Augments and mixes one batch with crops of a given variant: 0 for the sample's geometry of the epoch (what the
     * other overload uses), any other value for a fresh draw, so a sample that appears in two batches (DLB) is
     * augmented anew.
     */
    public AugmentedBatch augment(List<Sample> samples, int epoch, int partition, long seq, long variant) {
        int n = samples.size();
        if (n == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        int c = samples.get(0).image().channels();
        int k = samples.get(0).numClasses();
        boolean twoViews = studentSize != teacherSize || teacherView != TeacherView.CONSISTENT;
        float[] teacher = new float[n * teacherSize * teacherSize * c];
        float[] student = twoViews ? new float[n * studentSize * studentSize * c] : null;
        long[] ids = new long[n];
        int[] labels = new int[n];
        long[] loadedAt = new long[n];
        int[] boxes = new int[n * 4];
        byte[] flips = new byte[n];
        int[] teacherBoxes = teacherView == TeacherView.CONSISTENT ? boxes : new int[n * 4];
        byte[] teacherFlips = teacherView == TeacherView.CONSISTENT ? flips : new byte[n];
        long createdAt = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            if (s.image().channels() != c || s.numClasses() != k) {
                throw new IllegalArgumentException("sample " + s.sampleId() + " has " + s.image().channels()
                        + " channels and " + s.numClasses() + " classes, the batch has " + c + " and " + k);
            }
            put(geometry(s.epoch(), s.sampleId(), s.image().height(), s.image().width(), 1, variant), i, boxes, flips);
            if (teacherView != TeacherView.CONSISTENT) {
                put(teacherGeometry(s, variant), i, teacherBoxes, teacherFlips);
            }
            ViewRendering.crop(s.image(), i, teacherBoxes, teacherFlips, teacherSize, teacher);
            if (twoViews) {
                ViewRendering.crop(s.image(), i, boxes, flips, studentSize, student);
            }
            ids[i] = s.sampleId();
            labels[i] = s.label();
            loadedAt[i] = s.loadedAtMs();
            createdAt = Math.min(createdAt, s.loadedAtMs());
        }
        MixChoice m = mixChoice(n, epoch, partition, seq);
        View teacherPixels = teacherView == TeacherView.FIXED // the fixed teacher sees unmixed whole images
                ? View.encoded(n, teacherSize, teacherSize, c, teacher, encoding)
                : new View(n, teacherSize, teacherSize, c, ViewRendering.mixAll(teacher, n, teacherSize, c, m.mode(),
                        m.partners(), m.lambda(), m.cut(), encoding), encoding);
        View studentPixels = !twoViews ? null : new View(n, studentSize, studentSize, c, ViewRendering.mixAll(student,
                n, studentSize, c, m.mode(), m.partners(), m.lambda(), m.cut(), encoding), encoding);
        float[] lambdas = m.lambdas(n);
        return new AugmentedBatch(epoch, partition, seq, createdAt, k, m.mode(), ids, labels, loadedAt, m.partners(),
                lambdas, AugmentedBatch.mixedTargets(labels, m.partners(), lambdas, k), boxes, flips, m.cut(),
                teacherPixels, studentPixels, teacherView);
    }

    /**
     * Plans one batch of files named by the loader ({@code loader.ship=reference}): the same crop boxes, flips and
     * mixing as {@link #augment} would draw for those images, and the recipe from which the teacher and the student
     * render the views. Needs a consistent teacher view.
     *
     * @param refs      the batch, in order, all with the same channel and class counts
     * @param maxSide   the largest image side the consumers accept
     */
    public AugmentedBatch plan(List<SampleRef> refs, int epoch, int partition, long seq, long variant) {
        int n = refs.size();
        if (n == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        if (teacherView != TeacherView.CONSISTENT) {
            throw new IllegalStateException("augment.teacher-view=" + teacherView.wireName() + " needs the pixels; "
                    + "with loader.ship=reference only the consistent teacher view is possible");
        }
        SampleRef first = refs.get(0);
        int k = first.numClasses();
        long[] ids = new long[n];
        int[] labels = new int[n];
        long[] loadedAt = new long[n];
        int[] boxes = new int[n * 4];
        byte[] flips = new byte[n];
        int[] sizes = new int[n * 2];
        List<String> paths = new ArrayList<>(n);
        long createdAt = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            SampleRef r = refs.get(i);
            if (r.channels() != first.channels() || r.numClasses() != k || !r.root().equals(first.root())) {
                throw new IllegalArgumentException("sample " + r.sampleId() + " (" + r.source() + ") has "
                        + r.channels() + " channels and " + k + " classes under " + r.root() + ", the batch has "
                        + first.channels() + ", " + first.numClasses() + " and " + first.root());
            }
            put(geometry(r.epoch(), r.sampleId(), r.height(), r.width(), 1, variant), i, boxes, flips);
            ids[i] = r.sampleId();
            labels[i] = r.label();
            loadedAt[i] = r.loadedAtMs();
            sizes[i * 2] = r.height();
            sizes[i * 2 + 1] = r.width();
            paths.add(r.path());
            createdAt = Math.min(createdAt, r.loadedAtMs());
        }
        MixChoice m = mixChoice(n, epoch, partition, seq);
        float[] lambdas = m.lambdas(n);
        ViewRecipe recipe = new ViewRecipe(first.root(), paths, sizes, first.channels(), first.maxSide(),
                teacherSize, studentSize, encoding, -1);
        return new AugmentedBatch(epoch, partition, seq, createdAt, k, m.mode(), ids, labels, loadedAt, m.partners(),
                lambdas, AugmentedBatch.mixedTargets(labels, m.partners(), lambdas, k), boxes, flips, m.cut(), null, null,
                TeacherView.CONSISTENT, recipe);
    }

    private static void put(Geometry g, int i, int[] boxes, byte[] flips) {
        boxes[i * 4] = g.box().top();
        boxes[i * 4 + 1] = g.box().left();
        boxes[i * 4 + 2] = g.box().height();
        boxes[i * 4 + 3] = g.box().width();
        flips[i] = (byte) (g.flipped() ? 1 : 0);
    }

    /**
     * One batch's mixing: its mode, each image's partner, the mixup weight and the cutmix box.
     *
     * @param lambda the mixup weight, or for cutmix the area of the student's view that keeps its own pixels
     */
    private record MixChoice(MixMode mode, int[] partners, float lambda, float[] cut) {
        float[] lambdas(int n) {
            float[] l = new float[n];
            java.util.Arrays.fill(l, lambda);
            return l;
        }
    }

    /** The seeded mixing of batch (epoch, partition, seq). */
    private MixChoice mixChoice(int n, int epoch, int partition, long seq) {
        SplittableRandom rnd = new SplittableRandom(Seeds.mix(seed, epoch, partition, seq, 2));
        MixMode mode = n < 2 ? MixMode.NONE : mix.pick(rnd);
        int[] partners = new int[n];
        for (int i = 0; i < n; i++) {
            partners[i] = mode == MixMode.NONE ? i : (i + 1) % n;
        }
        return switch (mode) {
            case MIXUP -> new MixChoice(mode, partners, (float) mix.mixupLambda(rnd), null);
            case CUTMIX -> { // the target follows the area the student actually sees
                float[] cut = mix.cutBox(rnd);
                yield new MixChoice(mode, partners, Mixing.keptFraction(cut, studentSize, studentSize), cut);
            }
            default -> new MixChoice(mode, partners, 1f, null);
        };
    }
}
