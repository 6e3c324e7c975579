package io.kdstream.augmenter;

import io.kdstream.augmenter.ops.InceptionCrop;
import io.kdstream.augmenter.ops.MixPolicy;
import io.kdstream.core.wire.TeacherView;
import io.kdstream.core.wire.ViewEncoding;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Settings;
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
        int teacher = s.integer("view.teacher-size", 28);
        double scaleMin = s.real("augment.crop-scale-min", 0.08);
        double scaleMax = s.real("augment.crop-scale-max", 1.0);
        double ratioMin = s.real("augment.crop-ratio-min", 3.0 / 4);
        double ratioMax = s.real("augment.crop-ratio-max", 4.0 / 3);
        ConfigException.require(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1, "augment.crop-scale-min",
                scaleMin + ".." + scaleMax, "need 0 < crop-scale-min <= crop-scale-max <= 1");
        ConfigException.require(ratioMin > 0 && ratioMin <= ratioMax, "augment.crop-ratio-min",
                ratioMin + ".." + ratioMax, "need 0 < crop-ratio-min <= crop-ratio-max");
        double mixupAlpha = s.real("augment.mixup-alpha", 1.0);
        double cutmixAlpha = s.real("augment.cutmix-alpha", 1.0);
        double switchProb = s.real("augment.switch-prob", 0.5);
        double mixProb = s.real("augment.mix-prob", 1.0);
        ConfigException.require(mixupAlpha > 0, "augment.mixup-alpha", mixupAlpha, "must be > 0");
        ConfigException.require(cutmixAlpha > 0, "augment.cutmix-alpha", cutmixAlpha, "must be > 0");
        ConfigException.require(switchProb >= 0 && switchProb <= 1, "augment.switch-prob", switchProb, "must be 0..1");
        ConfigException.require(mixProb >= 0 && mixProb <= 1, "augment.mix-prob", mixProb, "must be 0..1");
        MixPolicy mix = new MixPolicy(s.choice("augment.mix", MixPolicy.Choice.class, MixPolicy.Choice.MIXUP),
                mixupAlpha, s.bool("augment.mixup-max-lambda", true), cutmixAlpha, switchProb, mixProb);
        return new AugmenterConfig(s.integer("pipeline.batch-size", 128), s.longValue("pipeline.seed", 42), teacher,
                s.integer("view.student-size", teacher), new InceptionCrop(scaleMin, scaleMax, ratioMin, ratioMax),
                s.bool("augment.flip", true), mix,
                s.integer("augmenter.threads", Math.max(1, Runtime.getRuntime().availableProcessors())),
                s.list("augmenter.feeds", defaultFeeds), s.integer("augmenter.max-ahead-batches", 16),
                s.choice("augment.teacher-view", TeacherView.class, TeacherView.CONSISTENT),
                s.choice("augment.view-encoding", ViewEncoding.class, ViewEncoding.UINT8),
                s.bool("augment.dlb", false));
    }
}
