package io.kdstream.augmenter;

import io.kdstream.augmenter.ops.InceptionCrop;
import io.kdstream.augmenter.ops.MixPolicy;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.wire.TeacherView;
import io.kdstream.core.wire.ViewEncoding;
import java.util.List;

/**
 * The augmenter's settings.
 *
 * @param batchSize       {@code pipeline.batch-size}: images per batch
 * @param seed            {@code pipeline.seed}: seeds every crop, flip and mix
 * @param teacherSize     {@code view.teacher-size}: side of the teacher's view in pixels
 * @param studentSize     {@code view.student-size}: side of the student's view; defaults to the teacher's, in which
 *                        case both share one view
 * @param crop            {@code augment.crop-scale-min|max}, {@code augment.crop-ratio-min|max}
 * @param flip            {@code augment.flip}: random horizontal flip
 * @param mix             {@code augment.mix} (none, mixup, cutmix, switch), {@code augment.mixup-alpha},
 *                        {@code augment.mixup-max-lambda}, {@code augment.cutmix-alpha}, {@code augment.switch-prob},
 *                        {@code augment.mix-prob}
 * @param threads         {@code augmenter.threads}: batches augmented in parallel
 * @param feeds           {@code augmenter.feeds}: consumer groups of the augmented topic to stay ahead of
 * @param maxAheadBatches {@code augmenter.max-ahead-batches}: how far ahead of them
 * @param teacherView     {@code augment.teacher-view}: consistent (default), independent or fixed (ablations)
 * @param viewEncoding    {@code augment.view-encoding}: uint8 (default: every source kdstream reads is 8-bit), float16 or float32 views on the wire
 * @param dlb             {@code augment.dlb}: DLB batches: each batch takes batch-size / 2 new samples and repeats,
 *                        freshly augmented, the new samples of the partition's previous batch first
 */
public record AugmenterConfig(int batchSize, long seed, int teacherSize, int studentSize, InceptionCrop crop,
                              boolean flip, MixPolicy mix, int threads, List<String> feeds, int maxAheadBatches,
                              TeacherView teacherView, ViewEncoding viewEncoding, boolean dlb) {
    public AugmenterConfig {
        ConfigException.require(batchSize >= 1 && batchSize <= 65536, "pipeline.batch-size", batchSize,
                "must be 1..65536");
        ConfigException.require(teacherSize >= 8 && teacherSize <= 1024, "view.teacher-size", teacherSize,
                "must be 8..1024");
        ConfigException.require(studentSize >= 8 && studentSize <= 1024, "view.student-size", studentSize,
                "must be 8..1024");
        ConfigException.require(threads >= 1 && threads <= 256, "augmenter.threads", threads, "must be 1..256");
        ConfigException.require(maxAheadBatches >= 1, "augmenter.max-ahead-batches", maxAheadBatches, "must be >= 1");
        feeds = List.copyOf(feeds);
        ConfigException.require(!dlb || (batchSize >= 2 && batchSize % 2 == 0), "pipeline.batch-size", batchSize,
                "must be even with augment.dlb (half new samples, half the previous batch's)");
    }

    /** Samples that start a new batch: the batch size, or half of it with DLB. */
    public int newSamplesPerBatch() {
        return dlb ? batchSize / 2 : batchSize;
    }

    /** Reads the augmenter's settings. */
    public static AugmenterConfig from(Settings s, List<String> defaultFeeds) {
        int teacher = s.integer(Keys.VIEW_TEACHER_SIZE);
        double scaleMin = s.real(Keys.AUGMENT_CROP_SCALE_MIN);
        double scaleMax = s.real(Keys.AUGMENT_CROP_SCALE_MAX);
        double ratioMin = s.real(Keys.AUGMENT_CROP_RATIO_MIN);
        double ratioMax = s.real(Keys.AUGMENT_CROP_RATIO_MAX);
        ConfigException.require(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1, "augment.crop-scale-min",
                scaleMin + ".." + scaleMax, "need 0 < crop-scale-min <= crop-scale-max <= 1");
        ConfigException.require(ratioMin > 0 && ratioMin <= ratioMax, "augment.crop-ratio-min",
                ratioMin + ".." + ratioMax, "need 0 < crop-ratio-min <= crop-ratio-max");
        double mixupAlpha = s.real(Keys.AUGMENT_MIXUP_ALPHA);
        double cutmixAlpha = s.real(Keys.AUGMENT_CUTMIX_ALPHA);
        double switchProb = s.real(Keys.AUGMENT_SWITCH_PROB);
        double mixProb = s.real(Keys.AUGMENT_MIX_PROB);
        ConfigException.require(mixupAlpha > 0, "augment.mixup-alpha", mixupAlpha, "must be > 0");
        ConfigException.require(cutmixAlpha > 0, "augment.cutmix-alpha", cutmixAlpha, "must be > 0");
        ConfigException.require(switchProb >= 0 && switchProb <= 1, "augment.switch-prob", switchProb, "must be 0..1");
        ConfigException.require(mixProb >= 0 && mixProb <= 1, "augment.mix-prob", mixProb, "must be 0..1");
        MixPolicy mix = new MixPolicy(s.choice(Keys.AUGMENT_MIX, MixPolicy.Choice.class),
                mixupAlpha, s.bool(Keys.AUGMENT_MIXUP_MAX_LAMBDA), cutmixAlpha, switchProb, mixProb);
        return new AugmenterConfig(s.integer(Keys.PIPELINE_BATCH_SIZE), s.longValue(Keys.PIPELINE_SEED), teacher,
                s.integer(Keys.VIEW_STUDENT_SIZE, teacher), new InceptionCrop(scaleMin, scaleMax, ratioMin, ratioMax),
                s.bool(Keys.AUGMENT_FLIP), mix,
                s.integer(Keys.AUGMENTER_THREADS, Math.max(1, Runtime.getRuntime().availableProcessors())),
                s.list(Keys.AUGMENTER_FEEDS, defaultFeeds), s.integer(Keys.AUGMENTER_MAX_AHEAD_BATCHES),
                s.choice(Keys.AUGMENT_TEACHER_VIEW, TeacherView.class),
                s.choice(Keys.AUGMENT_VIEW_ENCODING, ViewEncoding.class),
                s.bool(Keys.AUGMENT_DLB));
    }
}
