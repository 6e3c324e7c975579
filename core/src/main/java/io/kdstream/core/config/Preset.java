package io.kdstream.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named training recipes from the four papers kdstream implements (../shared/METHOD.md). {@code --preset=NAME} (or
 * {@code KDS_PRESET}) sets every knob of the recipe below flags and environment variables and above a command's own
 * defaults, so any knob can still be overridden. One preset configures every service: each reads the keys it knows
 * (the augmenter the {@code augment.*} ones, the student the {@code student.*} ones), so in a cluster give every
 * service the same {@code KDS_PRESET}.
 */
public enum Preset {
    /** The baseline: the student on the augmenter's mixed hard labels, no teacher. */
    SUPERVISED("labels only, FunMatch mixup, AdamW 2e-3, cosine with warmup", Map.ofEntries(
            Map.entry("student.mode", "supervised"),
            Map.entry("augment.mix", "mixup"),
            Map.entry("augment.mixup-max-lambda", "true"),
            Map.entry("student.lr", "2e-3"))),

    /**
     * USI (Ridnik et al., 2022): one recipe for any backbone. KD weight 5, CE weight 1, T 1, mixup 0.8 / cutmix 1.0
     * switched with probability 0.5, AdamW 2e-3 with decoupled weight decay 2e-2, cosine with warmup, no label
     * smoothing.
     */
    USI("KD 5 + CE 1, T 1, mixup 0.8 / cutmix 1.0 switch, AdamW 2e-3 wd 2e-2", Map.ofEntries(
            Map.entry("student.mode", "distill"),
            Map.entry("student.kd-weight", "5"),
            Map.entry("student.ce-weight", "1"),
            Map.entry("student.temperature", "1"),
            Map.entry("student.label-smoothing", "0"),
            Map.entry("student.lr", "2e-3"),
            Map.entry("student.weight-decay", "0.02"),
            Map.entry("augment.mix", "switch"),
            Map.entry("augment.mixup-alpha", "0.8"),
            Map.entry("augment.mixup-max-lambda", "false"),
            Map.entry("augment.cutmix-alpha", "1"),
            Map.entry("augment.switch-prob", "0.5"))),

    /**
     * Function matching ("A good teacher is patient and consistent", Beyer et al., 2022): KD only at T 1 on the
     * teacher's view of the same FunMatch-mixed crop, Adam with decoupled weight decay on weights only, global-norm
     * clipping at 1, cosine with a short warmup; meant for long schedules.
     */
    FUNMATCH("KD only, T 1, FunMatch mixup, decoupled wd on weights only, clip 1.0", Map.ofEntries(
            Map.entry("student.mode", "distill"),
            Map.entry("student.kd-weight", "1"),
            Map.entry("student.ce-weight", "0"),
            Map.entry("student.temperature", "1"),
            Map.entry("student.label-smoothing", "0"),
            Map.entry("student.lr", "3e-3"),
            Map.entry("student.weight-decay", "1e-4"),
            Map.entry("student.no-bias-decay", "true"),
            Map.entry("student.clip-norm", "1"),
            Map.entry("student.warmup-epochs", "0.25"),
            Map.entry("augment.mix", "mixup"),
            Map.entry("augment.mixup-alpha", "1"),
            Map.entry("augment.mixup-max-lambda", "true"),
            Map.entry("augment.mix-prob", "1"))),

    /**
     * Bag of Tricks (He et al., 2019): a ResNet with the B, C and D tweaks and zero-gamma, learning rate scaled
     * linearly with the batch (AdamW 4e-3 per 256 images: DJL's PyTorch engine has no Nesterov SGD), warmup and
     * cosine, label smoothing 0.1, no weight decay on biases and norm parameters, mixup alpha 0.2; supervised by
     * default, KD with a CE weight of 0.5 when run with {@code student.mode=distill}.
     */
    BAG_OF_TRICKS("ResNet-B/C/D + zero-gamma, linear lr scaling, label smoothing 0.1, mixup 0.2, no bias decay",
            Map.ofEntries(
                    Map.entry("student.mode", "supervised"),
                    Map.entry("student.arch", "resnet"),
                    Map.entry("student.tweaks", "b,c,d,zero-gamma"),
                    Map.entry("student.lr-per-256", "4e-3"),
                    Map.entry("student.label-smoothing", "0.1"),
                    Map.entry("student.no-bias-decay", "true"),
                    Map.entry("student.weight-decay", "0.05"),
                    Map.entry("student.ce-weight", "0.5"),
                    Map.entry("student.kd-weight", "0.5"),
                    Map.entry("augment.mix", "mixup"),
                    Map.entry("augment.mixup-alpha", "0.2"),
                    Map.entry("augment.mixup-max-lambda", "false"))),

    /**
     * DLB, self-distillation from the last mini-batch (Shen et al., CVPR 2022): no teacher; every batch repeats the
     * previous batch's new samples, freshly augmented, and the student distils its own predictions on them from one
     * step earlier (T 3, weight 1) next to CE on the labels. No mixing, so "the same samples" stays well defined.
     */
    DLB("no teacher; half of each batch repeats the last one; KD to own last predictions, T 3, alpha 1",
            Map.ofEntries(
                    Map.entry("student.mode", "dlb"),
                    Map.entry("augment.dlb", "true"),
                    Map.entry("augment.mix", "none"),
                    Map.entry("student.temperature", "3"),
                    Map.entry("student.kd-weight", "1"),
                    Map.entry("student.ce-weight", "1"),
                    Map.entry("student.lr", "2e-3")));

    private final String summary;
    private final Map<String, String> settings;

    Preset(String summary, Map<String, String> values) {
        this.summary = summary;
        this.settings = Map.copyOf(values);
    }

    /** One line: what the recipe sets. */
    public String summary() {
        return summary;
    }

    /** The settings the recipe fixes. */
    public Map<String, String> settings() {
        return settings;
    }

    /** The name used in {@code --preset}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Applies {@code preset} (flag or {@code KDS_PRESET}) when given; unchanged settings otherwise. */
    public static Settings apply(Settings s) {
        return s.raw(Keys.PRESET).map(name -> s.withPreset(byName(name).settings())).orElse(s);
    }

    /** The preset of a name, or a ConfigException listing the known ones. */
    public static Preset byName(String name) {
        String norm = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Preset p : values()) {
            if (p.name().equals(norm)) {
                return p;
            }
        }
        List<String> known = new ArrayList<>();
        for (Preset p : values()) {
            known.add(p.key());
        }
        throw new ConfigException("setting preset=" + name + " is not one of " + known + " (set --preset=... or "
                + "KDS_PRESET)");
    }
}
