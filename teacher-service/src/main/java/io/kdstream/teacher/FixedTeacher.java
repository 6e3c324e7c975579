package io.kdstream.teacher;

import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.View;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The "fixed teacher" ablation (Beyer et al., 2022): the teacher's prediction on each image's unmixed whole view is
 * computed once, kept by sample id, and reused in every later epoch; a batch's targets are the mixed probabilities
 * {@code lambda_i p(x_i) + (1 - lambda_i) p(x_partner(i))}, sent as their logarithms (so that softmax of what goes on
 * the wire is exactly that mixture). The predictions are the teacher's: they are kept for one teacher version and
 * dropped when a live swap brings another, whose batches get its own. Memory: K floats per image seen (2.4 MB for
 * Fashion-MNIST's 60,000). Used on the teacher service's DJL thread only.
 */
final class FixedTeacher {
    private final Map<Long, float[]> probabilities = new ConcurrentHashMap<>();
    private String teacher;
    private long forwards;

    /**
     * N*K log-probabilities for a batch whose teacher view is FIXED.
     *
     * @param batch   the batch (its {@code view} holds the unmixed whole images)
     * @param teacher the teacher's {@code id@version}: predictions of another version are not reused
     * @param forward the teacher's forward pass: N*K logits of a view; called only when an image is new
     * @param k       classes
     */
    float[] annotate(AugmentedBatch batch, String teacher, Function<View, float[]> forward, int k) {
        if (!teacher.equals(this.teacher)) { // a swap: the old teacher's predictions must not go out under the new id
            probabilities.clear();
            this.teacher = teacher;
        }
        int n = batch.size();
        long[] ids = batch.sampleIds();
        boolean known = true;
        for (long id : ids) {
            known &= probabilities.containsKey(id);
        }
        if (!known) {
            float[] logits = forward.apply(batch.view());
            forwards++;
            for (int i = 0; i < n; i++) {
                probabilities.putIfAbsent(ids[i], softmax(logits, i * k, k));
            }
        }
        float[] out = new float[n * k];
        for (int i = 0; i < n; i++) {
            float[] own = probabilities.get(ids[i]);
            float[] other = probabilities.get(ids[batch.partners()[i]]);
            float lambda = batch.lambdas()[i];
            for (int j = 0; j < k; j++) {
                float p = lambda * own[j] + (1 - lambda) * other[j];
                out[i * k + j] = (float) Math.log(Math.max(p, 1e-12f));
            }
        }
        return out;
    }

    /** Forward passes run so far (each over one batch of images not seen before). */
    long forwards() {
        return forwards;
    }

    /** Images whose prediction is kept. */
    int size() {
        return probabilities.size();
    }

    static float[] softmax(float[] logits, int offset, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double sum = 0;
        double[] e = new double[k];
        for (int j = 0; j < k; j++) {
            e[j] = Math.exp(logits[offset + j] - max);
            sum += e[j];
        }
        float[] p = new float[k];
        for (int j = 0; j < k; j++) {
            p[j] = (float) (e[j] / sum);
        }
        return p;
    }
}
