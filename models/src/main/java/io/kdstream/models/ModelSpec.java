package io.kdstream.models;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Key;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * What a kdstream model is: architecture, size, classes, input channels and resolution, and the per-channel input
 * normalisation (applied to pixels scaled to 0..1). Saved next to the weights so a teacher service can load a model
 * trained by kdstream by its directory alone.
 *
 * @param arch     the architecture
 * @param width    base channel width
 * @param depth    blocks per stage
 * @param classes  output classes K
 * @param channels input channels, 1 or 3
 * @param size     input side in pixels
 * @param mean     per-channel mean of inputs scaled to 0..1
 * @param std      per-channel standard deviation of inputs scaled to 0..1
 * @param tweaks   options of the residual families (B, C, D, zero-gamma); ignored by the plain CNN
 */
public record ModelSpec(Architecture arch, int width, int depth, int classes, int channels, int size, float[] mean,
                        float[] std, Set<Tweak> tweaks) {
    /** Fashion-MNIST's pixel mean and standard deviation on the 0..1 scale. */
    public static final float[] FASHION_MEAN = {0.2860f};
    /** See {@link #FASHION_MEAN}. */
    public static final float[] FASHION_STD = {0.3530f};

    public ModelSpec {
        if (width < 1 || depth < 1 || classes < 2 || (channels != 1 && channels != 3) || size < 8) {
            throw new IllegalArgumentException("invalid model spec: width " + width + ", depth " + depth + ", classes "
                    + classes + ", channels " + channels + ", size " + size);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need one value per channel (" + channels + "), got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be > 0, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
        tweaks = tweaks.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(tweaks));
    }

    /** A spec without tweaks. */
    public ModelSpec(Architecture arch, int width, int depth, int classes, int channels, int size, float[] mean,
                     float[] std) {
        this(arch, width, depth, classes, channels, size, mean, std, Set.of());
    }

    /**
     * The settings that describe a network: a student's are all of them, a TorchScript teacher's only its input
     * (size, mean, std); a null key is not read and its default applies.
     */
    public record KeySet(Key arch, Key width, Key depth, Key size, Key mean, Key std, Key tweaks) {
        /** {@code student.arch|width|depth|size|mean|std|tweaks}. */
        public static final KeySet STUDENT = new KeySet(Keys.STUDENT_ARCH, Keys.STUDENT_WIDTH,
                Keys.STUDENT_DEPTH, Keys.STUDENT_SIZE, Keys.STUDENT_MEAN,
                Keys.STUDENT_STD, Keys.STUDENT_TWEAKS);
        /** {@code teacher.size|mean|std}: what a TorchScript teacher takes. */
        public static final KeySet TEACHER_INPUT = new KeySet(null, null, null, Keys.TEACHER_SIZE,
                Keys.TEACHER_MEAN, Keys.TEACHER_STD, null);
    }

    /**
     * Reads a network's settings; classes and channels come from the data.
     *
     * @param s        the settings
     * @param keys     which settings describe it
     * @param classes  K, from the dataset
     * @param channels C, from the dataset
     * @param defaults the values of keys not given
     */
    public static ModelSpec from(Settings s, KeySet keys, int classes, int channels, ModelSpec defaults) {
        Architecture arch = keys.arch() == null ? defaults.arch()
                : s.choice(keys.arch(), Architecture.class, defaults.arch());
        int width = keys.width() == null ? defaults.width() : s.integer(keys.width(), defaults.width());
        int depth = keys.depth() == null ? defaults.depth() : s.integer(keys.depth(), defaults.depth());
        int size = s.integer(keys.size(), defaults.size());
        float[] mean = floats(s, keys.mean(), defaults.mean(), channels);
        float[] std = floats(s, keys.std(), defaults.std(), channels);
        ConfigException.require(width >= 1 && width <= 1024, String.valueOf(keys.width()), width, "must be 1..1024");
        ConfigException.require(depth >= 1 && depth <= 64, String.valueOf(keys.depth()), depth, "must be 1..64");
        ConfigException.require(size >= 8 && size <= 1024, keys.size().name(), size, "must be 8..1024");
        Set<Tweak> tweaks = defaults.tweaks();
        if (keys.tweaks() != null && s.has(keys.tweaks())) {
            try {
                tweaks = Tweak.parse(s.list(keys.tweaks()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("setting " + keys.tweaks() + ": " + e.getMessage());
            }
        }
        return new ModelSpec(arch, width, depth, classes, channels, size, mean, std, tweaks);
    }

    private static float[] floats(Settings s, Key key, float[] fallback, int channels) {
        List<String> raw = s.has(key) ? s.list(key) : null;
        float[] base = fallback;
        if (raw != null) {
            base = new float[raw.size()];
            for (int i = 0; i < raw.size(); i++) {
                try {
                    base[i] = Float.parseFloat(raw.get(i));
                } catch (NumberFormatException e) {
                    throw new ConfigException("setting " + key + "=" + String.join(",", raw) + " is not a list of "
                            + "numbers");
                }
            }
        }
        if (base.length == channels) {
            return base;
        }
        if (base.length == 1) {
            float[] out = new float[channels];
            Arrays.fill(out, base[0]);
            return out;
        }
        throw new ConfigException("setting " + key + " has " + base.length + " values but the data has " + channels
                + " channel(s); give one value or one per channel");
    }

    /** A copy for another class count, channel count and normalisation (when the data differs from a preset). */
    public ModelSpec forData(int newClasses, int newChannels, float[] newMean, float[] newStd) {
        return new ModelSpec(arch, width, depth, newClasses, newChannels, size, newMean, newStd, tweaks);
    }

    /** A short description: {@code cnn w32 d2 28px 10 classes}. */
    public String describe() {
        String t = tweaks.isEmpty() ? "" : " " + String.join("+", tweaks.stream().map(Tweak::key).toList());
        return arch.name().toLowerCase(Locale.ROOT) + " w" + width + " d" + depth + t + " " + size + "px " + classes
                + " classes";
    }

    /** The spec as {@code model.*} properties. */
    public Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("model.arch", arch.name().toLowerCase(Locale.ROOT));
        p.setProperty("model.width", Integer.toString(width));
        p.setProperty("model.depth", Integer.toString(depth));
        p.setProperty("model.classes", Integer.toString(classes));
        p.setProperty("model.channels", Integer.toString(channels));
        p.setProperty("model.size", Integer.toString(size));
        p.setProperty("model.mean", join(mean));
        p.setProperty("model.std", join(std));
        if (!tweaks.isEmpty()) {
            p.setProperty("model.tweaks", String.join(",", tweaks.stream().map(Tweak::key).toList()));
        }
        return p;
    }

    /** Reads {@code model.*} properties. */
    public static ModelSpec fromProperties(Properties p, String source) {
        try {
            return new ModelSpec(Architecture.valueOf(p.getProperty("model.arch").toUpperCase(Locale.ROOT)),
                    Integer.parseInt(p.getProperty("model.width")), Integer.parseInt(p.getProperty("model.depth")),
                    Integer.parseInt(p.getProperty("model.classes")), Integer.parseInt(p.getProperty("model.channels")),
                    Integer.parseInt(p.getProperty("model.size")), split(p.getProperty("model.mean")),
                    split(p.getProperty("model.std")), Tweak.parse(List.of(p.getProperty("model.tweaks", "").split(","))));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(source + " does not describe a kdstream model (" + e.getMessage()
                    + "); it needs model.arch, width, depth, classes, channels, size, mean and std", e);
        }
    }

    private static String join(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.toString();
    }

    private static float[] split(String s) {
        String[] parts = s.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i].trim());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && arch == m.arch && width == m.width && depth == m.depth
                && classes == m.classes && channels == m.channels && size == m.size && Arrays.equals(mean, m.mean)
                && Arrays.equals(std, m.std) && tweaks.equals(m.tweaks);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(arch, width, depth, classes, channels, size, Arrays.hashCode(mean),
                Arrays.hashCode(std), tweaks);
    }

    @Override
    public String toString() {
        return describe();
    }
}
