package io.kdstream.student;

import io.kdstream.core.image.CropBox;
import io.kdstream.core.image.Resampler;
import io.kdstream.core.wire.View;
import io.kdstream.loader.dataset.BadImageException;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.models.LogitsFunction;
import java.util.Arrays;

/** Evaluation on a labelled split, and the metrics that compare a student with its teacher. */
public final class Evaluation {
    private Evaluation() {
    }

    /**
     * A split as views: each image whole (no crop), resized to {@code size}, in dataset order.
     *
     * @param images the views, in batches
     * @param labels the labels, in dataset order
     */
    public record Split(View[] images, int[] labels) {
        /** Number of images. */
        public int size() {
            return labels.length;
        }
    }

    /** Reads and resizes a labelled dataset once; unreadable images are skipped. */
    public static Split load(Dataset d, int size, int batch) {
        int n = d.size();
        int c = d.channels();
        int[] labels = new int[n];
        float[] all = new float[n * size * size * c];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            Dataset.Item it;
            try {
                it = d.read(i);
            } catch (BadImageException e) {
                continue;
            }
            Resampler.cropResize(it.image(), new CropBox(0, 0, it.image().height(), it.image().width()), false, size,
                    size, all, kept * size * size * c);
            labels[kept++] = it.label();
        }
        int per = size * size * c;
        View[] views = new View[(kept + batch - 1) / batch];
        for (int b = 0; b < views.length; b++) {
            int from = b * batch;
            int count = Math.min(batch, kept - from);
            views[b] = new View(count, size, size, c, Arrays.copyOfRange(all, from * per, (from + count) * per));
        }
        return new Split(views, Arrays.copyOf(labels, kept));
    }

    /** Logits of a function over a split, N*K. */
    public static float[] logits(LogitsFunction f, Split split) {
        int k = f.classes();
        float[] out = new float[split.size() * k];
        int at = 0;
        for (View v : split.images()) {
            float[] l = f.logits(v);
            System.arraycopy(l, 0, out, at, l.length);
            at += l.length;
        }
        return out;
    }

    /** Index of the largest of K logits in row i. */
    public static int argmax(float[] logits, int i, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (logits[i * k + j] > logits[i * k + best]) {
                best = j;
            }
        }
        return best;
    }

    /** Fraction of rows whose argmax equals the label. */
    public static double top1(float[] logits, int[] labels, int k) {
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            right += argmax(logits, i, k) == labels[i] ? 1 : 0;
        }
        return labels.length == 0 ? 0 : (double) right / labels.length;
    }

    /** Fraction of rows where two models predict the same class. */
    public static double agreement(float[] a, float[] b, int k) {
        int n = a.length / k;
        int same = 0;
        for (int i = 0; i < n; i++) {
            same += argmax(a, i, k) == argmax(b, i, k) ? 1 : 0;
        }
        return n == 0 ? 0 : (double) same / n;
    }

    /** Mean over rows of KL(softmax(teacher / T) || softmax(student / T)), in nats. */
    public static double kl(float[] teacher, float[] student, int k, double t) {
        int n = teacher.length / k;
        double sum = 0;
        double[] lp = new double[k];
        double[] lq = new double[k];
        for (int i = 0; i < n; i++) {
            logSoftmax(teacher, i, k, t, lp);
            logSoftmax(student, i, k, t, lq);
            for (int j = 0; j < k; j++) {
                sum += Math.exp(lp[j]) * (lp[j] - lq[j]);
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /** log softmax(row i / T) into {@code out}. */
    public static void logSoftmax(float[] logits, int i, int k, double t, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, logits[i * k + j] / t);
        }
        double z = 0;
        for (int j = 0; j < k; j++) {
            z += Math.exp(logits[i * k + j] / t - max);
        }
        double lz = max + Math.log(z);
        for (int j = 0; j < k; j++) {
            out[j] = logits[i * k + j] / t - lz;
        }
    }
}
