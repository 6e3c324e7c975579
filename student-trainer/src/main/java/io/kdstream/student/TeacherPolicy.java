package io.kdstream.student;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the student does with a batch annotated by a teacher it does not expect (say, a replica still running an old
 * model after a swap, or a teacher of another project on the same topic).
 *
 * @param expected {@code student.expect-teachers}: comma-separated {@code id} or {@code id@version} entries; empty
 *                 (the default) expects every teacher
 * @param action   {@code student.unexpected-teacher}: {@code train} (train on it, log and count it),
 *                 {@code dead-letter} (the default: send it to the dead-letter topic, count it, do not train), or
 *                 {@code fail} (stop the trainer with an error naming the teacher)
 * @param weights  {@code student.teacher-weights}: {@code id=weight,...} for the members of a teacher ensemble; when
 *                 set, the student distils towards the weighted average of the members' probabilities (sent with
 *                 each batch) instead of the teacher service's average; empty to use the latter
 */
public record TeacherPolicy(List<String> expected, Action action, Map<String, Double> weights) {
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
    public static final TeacherPolicy ANY = new TeacherPolicy(List.of(), Action.DEAD_LETTER, Map.of());

    public TeacherPolicy {
        expected = List.copyOf(expected);
        weights = Map.copyOf(weights);
        weights.forEach((id, w) -> ConfigException.require(w >= 0, "student.teacher-weights", id + "=" + w,
                "weights must be >= 0"));
        for (String e : expected) {
            ConfigException.require(!e.isBlank() && !e.startsWith("@") && !e.endsWith("@"), "student.expect-teachers",
                    e, "entries are id or id@version");
        }
    }

    /** Reads {@code student.expect-teachers} and {@code student.unexpected-teacher}. */
    public static TeacherPolicy from(Settings s) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String entry : s.list(Keys.STUDENT_TEACHER_WEIGHTS)) {
            int eq = entry.indexOf('=');
            try {
                weights.put(entry.substring(0, eq).trim(), Double.parseDouble(entry.substring(eq + 1).trim()));
            } catch (RuntimeException e) {
                throw new ConfigException("setting student.teacher-weights entry '" + entry + "' is not id=weight "
                        + "(e.g. --student.teacher-weights=resnet=0.7,cnn=0.3)");
            }
        }
        return new TeacherPolicy(s.list(Keys.STUDENT_EXPECT_TEACHERS),
                s.choice(Keys.STUDENT_UNEXPECTED_TEACHER, Action.class), weights);
    }

    /**
     * The ensemble target as logits for a KD term at temperature T: {@code T log sum_m w_m softmax(z_m / T)} with the
     * weights of the members this policy names (normalised over them), so that softmax(result / T) is exactly the
     * weighted mixture.
     *
     * @param memberIds    the members, in the order of {@code memberLogits}
     * @param memberLogits M*N*K logits, member-major
     * @param n            N
     * @param k            K
     * @param t            the KD temperature
     * @throws IllegalArgumentException when no member has a positive weight
     */
    public float[] weigh(List<String> memberIds, float[] memberLogits, int n, int k, float t) {
        double total = 0;
        for (String id : memberIds) {
            total += weights.getOrDefault(id, 0.0);
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("student.teacher-weights " + weights + " gives no weight to the "
                    + "ensemble members " + memberIds);
        }
        double[] mix = new double[n * k];
        for (int m = 0; m < memberIds.size(); m++) {
            double w = weights.getOrDefault(memberIds.get(m), 0.0) / total;
            if (w == 0) {
                continue;
            }
            for (int row = 0; row < n; row++) {
                int off = m * n * k + row * k;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, memberLogits[off + j] / t);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(memberLogits[off + j] / t - max);
                }
                for (int j = 0; j < k; j++) {
                    mix[row * k + j] += w * Math.exp(memberLogits[off + j] / t - max) / sum;
                }
            }
        }
        float[] out = new float[n * k];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (t * Math.log(Math.max(mix[i], 1e-12)));
        }
        return out;
    }

    /** Whether a batch from this teacher is expected. */
    public boolean expects(String id, String version) {
        return expected.isEmpty() || expected.contains(id) || expected.contains(id + "@" + version);
    }
}
