package io.kdstream.teacher;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.wire.View;
import io.kdstream.models.LogitsFunction;
import java.util.List;

/**
 * An ensemble of teachers: the weighted average of their probabilities, published as its logarithm (so the softmax
 * of what goes on the wire, at any temperature 1, is exactly that average). METHOD.md: "average the teachers'
 * probabilities".
 */
final class EnsembleTeacher implements LogitsFunction {
    private final List<LogitsFunction> members;
    private final List<String> names;
    private final double[] weights;

    /**
     * @param members the teachers; all must predict the same classes
     * @param weights one positive weight per member, or empty for equal weights; normalised to sum 1
     */
    EnsembleTeacher(List<LogitsFunction> members, List<Double> weights) {
        this(members, weights, java.util.stream.IntStream.range(0, members.size()).mapToObj(i -> "t" + i).toList());
    }

    /**
     * @param names the members' teacher ids, written on each annotated batch next to their logits
     */
    EnsembleTeacher(List<LogitsFunction> members, List<Double> weights, List<String> names) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one teacher");
        }
        int k = members.get(0).classes();
        for (LogitsFunction m : members) {
            if (m.classes() != k) {
                throw new ConfigException("teacher.ensemble: every teacher must predict the same classes; found " + k
                        + " and " + m.classes());
            }
        }
        this.members = List.copyOf(members);
        this.names = List.copyOf(names);
        this.weights = new double[members.size()];
        double sum = 0;
        for (int i = 0; i < members.size(); i++) {
            this.weights[i] = weights.isEmpty() ? 1 : weights.get(i);
            sum += this.weights[i];
        }
        for (int i = 0; i < members.size(); i++) {
            this.weights[i] /= sum;
        }
    }

    @Override
    public float[] logits(View view) {
        return average(memberLogits(view));
    }

    /** The average and each member's logits, for students that weight the members themselves. */
    @Override
    public Prediction predict(View view) {
        float[][] z = memberLogits(view);
        float[] logits = average(z);
        float[] each = new float[z.length * logits.length];
        for (int m = 0; m < z.length; m++) {
            System.arraycopy(z[m], 0, each, m * logits.length, logits.length);
        }
        return new Prediction(logits, names, each);
    }

    /** Each member's N*K logits of a view. */
    float[][] memberLogits(View view) {
        float[][] out = new float[members.size()][];
        for (int m = 0; m < members.size(); m++) {
            out[m] = members.get(m).logits(view);
        }
        return out;
    }

    /** The members' ids. */
    List<String> names() {
        return names;
    }

    /** log of the weighted average of the members' probabilities. */
    float[] average(float[][] memberLogits) {
        int k = classes();
        double[] mixed = null;
        for (int m = 0; m < members.size(); m++) {
            float[] z = memberLogits[m];
            if (mixed == null) {
                mixed = new double[z.length];
            }
            for (int row = 0; row < z.length / k; row++) {
                float[] p = FixedTeacher.softmax(z, row * k, k);
                for (int j = 0; j < k; j++) {
                    mixed[row * k + j] += weights[m] * p[j];
                }
            }
        }
        float[] out = new float[mixed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(Math.max(mixed[i], 1e-12));
        }
        return out;
    }

    @Override
    public int classes() {
        return members.get(0).classes();
    }

    @Override
    public int inputSize() {
        return members.get(0).inputSize();
    }

    /** The normalised weights, for logs and tests. */
    double[] weights() {
        return weights.clone();
    }
}
