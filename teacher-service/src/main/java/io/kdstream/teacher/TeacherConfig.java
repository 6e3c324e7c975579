package io.kdstream.teacher;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.TorchScriptModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The teacher service's settings.
 *
 * @param model     {@code teacher.model}: a kdstream model directory, or a TorchScript file
 * @param format    {@code teacher.format}: auto (directory = kdstream, file = TorchScript), kdstream, torchscript
 * @param id        {@code teacher.id}: the name written on every annotated batch; default the model's name
 * @param version   {@code teacher.version}: its version; default the model's {@code info.version} or 1
 * @param input     TorchScript only: {@code teacher.classes|channels|size|mean|std}
 * @param nhwc      TorchScript only: {@code teacher.layout=nhwc}
 * @param half      {@code teacher.logits=float16} halves the logits on the wire
 * @param device    {@code teacher.device}: auto, cpu, gpu, gpu:N
 * @param modelRoot {@code teacher.model-root}: the directory every model must lie in, {@code teacher.model} and
 *                  any model a live swap asks for; default the directory that holds {@code teacher.model}
 * @param ensemble  {@code teacher.ensemble}: more models whose predictions are averaged with {@code model}'s (an
 *                  ensemble of teachers); empty for one teacher
 * @param weights   {@code teacher.ensemble-weights}: one weight per member, {@code model} first; default equal
 * @param topK      {@code teacher.top-k}: publish only the K largest logits of each image (and the mass of the
 *                  rest); 0 publishes them all
 */
public record TeacherConfig(Path model, Format format, String id, String version, ModelSpec input, boolean nhwc,
                            boolean half, String device, Path modelRoot, List<Path> ensemble, List<Double> weights,
                            int topK) {
    public TeacherConfig {
        ConfigException.require(topK >= 0, "teacher.top-k", topK, "must be >= 0 (0 = every logit)");
        ensemble = List.copyOf(ensemble);
        weights = List.copyOf(weights);
        ConfigException.require(weights.isEmpty() || weights.size() == ensemble.size() + 1,
                "teacher.ensemble-weights", weights, "needs one weight per teacher (" + (ensemble.size() + 1)
                        + ": teacher.model first, then teacher.ensemble)");
        for (double w : weights) {
            ConfigException.require(w > 0, "teacher.ensemble-weights", weights, "weights must be > 0");
        }
    }

    /** One teacher, no ensemble, every logit published. */
    public TeacherConfig(Path model, Format format, String id, String version, ModelSpec input, boolean nhwc,
                         boolean half, String device, Path modelRoot) {
        this(model, format, id, version, input, nhwc, half, device, modelRoot, List.of(), List.of(), 0);
    }

    /** Every logit published. */
    public TeacherConfig(Path model, Format format, String id, String version, ModelSpec input, boolean nhwc,
                         boolean half, String device, Path modelRoot, List<Path> ensemble, List<Double> weights) {
        this(model, format, id, version, input, nhwc, half, device, modelRoot, ensemble, weights, 0);
    }

    /** How the teacher file is read. */
    public enum Format {
        /** Decide from the path. */
        AUTO,
        /** A directory written by kdstream (model.properties + model.params). */
        KDSTREAM,
        /** A TorchScript file. */
        TORCHSCRIPT
    }

    /** Logit precision on the wire. */
    public enum Precision {
        /** 4 bytes per logit. */
        FLOAT32,
        /** 2 bytes per logit. */
        FLOAT16
    }

    /** Reads {@code teacher.*}. */
    public static TeacherConfig from(Settings s) {
        Path model = s.path(Keys.TEACHER_MODEL).orElseThrow(() -> new ConfigException("setting teacher.model is required: "
                + "a kdstream model directory or a TorchScript file (set --teacher.model=... or KDS_TEACHER_MODEL)"));
        Format format = s.choice(Keys.TEACHER_FORMAT, Format.class);
        TorchScriptModel.Input in = TorchScriptModel.Input.from(s);
        ModelSpec input = in.spec();
        Path root = s.path(Keys.TEACHER_MODEL_ROOT).orElse(model.toAbsolutePath().normalize().getParent());
        List<Path> members = s.list(Keys.TEACHER_ENSEMBLE).stream().map(Path::of).toList();
        List<Double> weights = new ArrayList<>();
        for (String w : s.list(Keys.TEACHER_ENSEMBLE_WEIGHTS, List.of())) {
            try {
                weights.add(Double.parseDouble(w));
            } catch (NumberFormatException e) {
                throw new ConfigException("setting teacher.ensemble-weights=" + w + " is not a number");
            }
        }
        List<String> names = new ArrayList<>(List.of(defaultId(model)));
        members.forEach(m -> names.add(defaultId(m)));
        TeacherConfig c = new TeacherConfig(model, format, s.string(Keys.TEACHER_ID, String.join("+", names)),
                s.string(Keys.TEACHER_VERSION, ""), input,
                in.nhwc(),
                s.choice(Keys.TEACHER_LOGITS, Precision.class) == Precision.FLOAT16,
                s.string(Keys.TEACHER_DEVICE).toLowerCase(Locale.ROOT), root);
        c.confine(model.toAbsolutePath().toString(), "teacher.model");
        List<Path> confined = new ArrayList<>();
        for (Path m : members) {
            confined.add(c.confine(m.toAbsolutePath().toString(), "teacher.ensemble"));
        }
        return new TeacherConfig(model, format, c.id(), c.version(), input, c.nhwc(), c.half(), c.device(), root,
                confined, weights, s.integer(Keys.TEACHER_TOP_K));
    }

    private static String defaultId(Path model) {
        return model.getFileName().toString().replaceFirst("\\.(pt|pth|torchscript)$", "");
    }

    /** The same settings for another model file (one member of an ensemble). */
    TeacherConfig member(Path m) {
        return new TeacherConfig(m, format, defaultId(m), version, input, nhwc, half, device, modelRoot);
    }

    /**
     * The config of a live swap to another model (a single teacher, an ensemble is replaced whole): the same input
     * description, precision and device; the model is
     * resolved inside {@link #modelRoot()} (a relative path against it); id and version default as at start-up.
     *
     * @param requested the model path the request named
     * @param newId     the teacher id, or empty for the model's name
     * @param newVersion the version, or empty for the model's own
     * @throws ConfigException when the path leaves the model root
     */
    public TeacherConfig forSwap(String requested, String newId, String newVersion) {
        Path m = confine(requested, "model");
        return new TeacherConfig(m, Format.AUTO, newId.isEmpty() ? defaultId(m) : newId, newVersion, input, nhwc, half,
                device, modelRoot, List.of(), List.of(), topK);
    }

    /**
     * Resolves a model path inside {@link #modelRoot()}, following symbolic links, and refuses one that leaves it.
     *
     * @param requested the path as given (relative paths are taken against the root)
     * @param what      the setting or request field that named it, for the error
     */
    Path confine(String requested, String what) {
        Path root = modelRoot.toAbsolutePath().normalize();
        Path p = root.resolve(requested).normalize();
        boolean inside = p.startsWith(root);
        if (inside && java.nio.file.Files.exists(p)) {
            try {
                inside = p.toRealPath().startsWith(root.toRealPath());
            } catch (java.io.IOException e) {
                inside = false;
            }
        }
        if (!inside) {
            throw new ConfigException(what + "=" + requested + " is outside the model root " + root + "; put the "
                    + "model under it or set teacher.model-root (KDS_TEACHER_MODEL_ROOT) to a directory that holds it");
        }
        return p;
    }
}
