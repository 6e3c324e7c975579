package io.kdstream.student;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Settings;
import java.util.List;

/**
 * What the student does with a batch annotated by a teacher it does not expect (say, a replica still running an old
 * model after a swap, or a teacher of another project on the same topic).
 *
 * @param expected {@code student.expect-teachers}: comma-separated {@code id} or {@code id@version} entries; empty
 *                 (the default) expects every teacher
 * @param action   {@code student.unexpected-teacher}: {@code train} (train on it, log and count it),
 *                 {@code dead-letter} (the default: send it to the dead-letter topic, count it, do not train), or
 *                 {@code fail} (stop the trainer with an error naming the teacher)
 */
public record TeacherPolicy(List<String> expected, Action action) {
    /** The action on an unexpected teacher. */
    public enum Action {
        /** Train on the batch anyway. */
        TRAIN,
        /** Dead-letter the batch. */
        DEAD_LETTER,
        /** Stop the trainer. */
        FAIL
    }

    /** Every teacher expected. */
    public static final TeacherPolicy ANY = new TeacherPolicy(List.of(), Action.DEAD_LETTER);

    public TeacherPolicy {
        expected = List.copyOf(expected);
        for (String e : expected) {
            ConfigException.require(!e.isBlank() && !e.startsWith("@") && !e.endsWith("@"), "student.expect-teachers",
                    e, "entries are id or id@version");
        }
    }

    /** Reads {@code student.expect-teachers} and {@code student.unexpected-teacher}. */
    public static TeacherPolicy from(Settings s) {
        return new TeacherPolicy(s.list("student.expect-teachers", List.of()),
                s.choice("student.unexpected-teacher", Action.class, Action.DEAD_LETTER));
    }

    /** Whether a batch from this teacher is expected. */
    public boolean expects(String id, String version) {
        return expected.isEmpty() || expected.contains(id) || expected.contains(id + "@" + version);
    }
}
