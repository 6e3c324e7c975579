package io.kdstream.augmenter.ops;

import io.kdstream.core.image.CropBox;
import io.kdstream.core.image.Resampler;

import io.kdstream.core.Seeds;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.Sample;
import io.kdstream.core.wire.TeacherView;
import io.kdstream.core.wire.View;
import io.kdstream.core.wire.ViewEncoding;
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
        return geometry(s, 1, 0);
    }

    /** The teacher's geometry: the student's, another seeded draw (independent) or the whole image (fixed). */
    public Geometry teacherGeometry(Sample s) {
        return teacherGeometry(s, 0);
    }

    private Geometry teacherGeometry(Sample s, long variant) {
        return switch (teacherView) {
            case CONSISTENT -> geometry(s, 1, variant);
            case INDEPENDENT -> geometry(s, 3, variant);
            case FIXED -> new Geometry(new CropBox(0, 0, s.image().height(), s.image().width()), false);
        };
    }

    /** Variant 0 is the sample's one geometry of the epoch; other variants draw fresh ones (a repeated sample, DLB). */
    private Geometry geometry(Sample s, int stream, long variant) {
        SplittableRandom rnd = new SplittableRandom(variant == 0 ? Seeds.mix(seed, s.epoch(), s.sampleId(), stream)
                : Seeds.mix(seed, s.epoch(), s.sampleId(), stream, variant));
        CropBox box = crop.sample(s.image().height(), s.image().width(), rnd);
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
        long createdAt = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            if (s.image().channels() != c || s.numClasses() != k) {
                throw new IllegalArgumentException("sample " + s.sampleId() + " has " + s.image().channels()
                        + " channels and " + s.numClasses() + " classes, the batch has " + c + " and " + k);
            }
            Geometry g = geometry(s, 1, variant);
            Geometry tg = teacherGeometry(s, variant);
            Resampler.cropResize(s.image(), tg.box(), tg.flipped(), teacherSize, teacherSize, teacher,
                    i * teacherSize * teacherSize * c);
            if (twoViews) {
                Resampler.cropResize(s.image(), g.box(), g.flipped(), studentSize, studentSize, student,
                        i * studentSize * studentSize * c);
            }
            ids[i] = s.sampleId();
            labels[i] = s.label();
            loadedAt[i] = s.loadedAtMs();
            boxes[i * 4] = g.box().top();
            boxes[i * 4 + 1] = g.box().left();
            boxes[i * 4 + 2] = g.box().height();
            boxes[i * 4 + 3] = g.box().width();
            flips[i] = (byte) (g.flipped() ? 1 : 0);
            createdAt = Math.min(createdAt, s.loadedAtMs());
        }
        SplittableRandom rnd = new SplittableRandom(Seeds.mix(seed, epoch, partition, seq, 2));
        MixMode mode = n < 2 ? MixMode.NONE : mix.pick(rnd);
        int[] partners = new int[n];
        float[] lambdas = new float[n];
        float[] cut = null;
        for (int i = 0; i < n; i++) {
            partners[i] = mode == MixMode.NONE ? i : (i + 1) % n;
        }
        float lambda;
        switch (mode) {
            case MIXUP -> {
                lambda = (float) mix.mixupLambda(rnd);
                teacher = teacherView == TeacherView.FIXED ? teacher : Mixing.mixup(teacher, n, partners, lambda);
                student = student == null ? null : Mixing.mixup(student, n, partners, lambda);
            }
            case CUTMIX -> {
                cut = mix.cutBox(rnd);
                float kept = teacherView == TeacherView.FIXED ? Float.NaN
                        : Mixing.cutmix(teacher, n, teacherSize, teacherSize, c, partners, cut);
                if (twoViews) {
                    kept = Mixing.cutmix(student, n, studentSize, studentSize, c, partners, cut);
                }
                lambda = kept; // the target follows the area the student actually sees
            }
            default -> lambda = 1f;
        }
        java.util.Arrays.fill(lambdas, lambda);
        float[] targets = Mixing.targets(labels, partners, lambdas, k);
        return new AugmentedBatch(epoch, partition, seq, createdAt, k, mode, ids, labels, loadedAt, partners, lambdas,
                targets, boxes, flips, cut, View.encoded(n, teacherSize, teacherSize, c, teacher, encoding),
                twoViews ? View.encoded(n, studentSize, studentSize, c, student, encoding) : null, teacherView);
    }
}
