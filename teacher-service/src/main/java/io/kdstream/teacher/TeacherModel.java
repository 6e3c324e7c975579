package io.kdstream.teacher;

import io.kdstream.models.LogitsFunction;
import io.kdstream.models.Models;
import io.kdstream.models.Network;
import io.kdstream.models.TorchScriptModel;

/**
 * A loaded teacher: its logits function plus the id and version every annotated batch carries. Frozen: never
 * trained, never checkpointed.
 *
 * @param logits  the model
 * @param id      its name
 * @param version its version
 * @param closer  releases it
 */
public record TeacherModel(LogitsFunction logits, String id, String version, AutoCloseable closer)
        implements AutoCloseable {

    /**
     * Loads the teacher a config names (with {@code teacher.ensemble}, every member, averaged); fails fast with a
     * message naming the file when it cannot.
     */
    public static TeacherModel load(TeacherConfig c) {
        if (c.ensemble().isEmpty()) {
            return loadOne(c);
        }
        java.util.List<TeacherModel> members = new java.util.ArrayList<>();
        try {
            members.add(loadOne(c.member(c.model()))); // each member under its own id
            for (java.nio.file.Path m : c.ensemble()) {
                members.add(loadOne(c.member(m)));
            }
            EnsembleTeacher e = new EnsembleTeacher(members.stream().map(TeacherModel::logits).toList(), c.weights(),
                    members.stream().map(TeacherModel::id).toList());
            java.util.List<TeacherModel> owned = java.util.List.copyOf(members);
            return new TeacherModel(e, c.id(), c.version().isEmpty() ? "1" : c.version(), () -> {
                for (TeacherModel t : owned) {
                    t.close();
                }
            });
        } catch (RuntimeException e) {
            for (TeacherModel t : members) {
                try {
                    t.close();
                } catch (Exception ignored) {
                    // already failing; the first error is the one to report
                }
            }
            throw e;
        }
    }

    private static TeacherModel loadOne(TeacherConfig c) {
        if (!java.nio.file.Files.exists(c.model())) {
            throw new io.kdstream.core.config.ConfigException("setting teacher.model=" + c.model() + " is invalid: no "
                    + "such file or directory; point it at a kdstream model directory or a TorchScript .pt file");
        }
        if (c.format() == TeacherConfig.Format.AUTO && StandInTeacher.isStandIn(c.model())) {
            StandInTeacher t = StandInTeacher.load(c.model());
            return new TeacherModel(t, c.id(), c.version().isEmpty() ? "1" : c.version(), () -> { });
        }
        TeacherConfig.Format format = c.format() != TeacherConfig.Format.AUTO ? c.format()
                : java.nio.file.Files.isDirectory(c.model()) ? TeacherConfig.Format.KDSTREAM
                : TeacherConfig.Format.TORCHSCRIPT;
        return switch (format) {
            case KDSTREAM, AUTO -> {
                Network n = Network.load(c.model(), Models.device(c.device()));
                String version = !c.version().isEmpty() ? c.version() : n.info().getOrDefault("version", "1");
                yield new TeacherModel(n, c.id(), version, n);
            }
            case TORCHSCRIPT -> {
                TorchScriptModel t = new TorchScriptModel(c.model(), new TorchScriptModel.Input(c.input(), c.nhwc()),
                        Models.device(c.device()));
                yield new TeacherModel(t, c.id(), c.version().isEmpty() ? "1" : c.version(), t);
            }
        };
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}
