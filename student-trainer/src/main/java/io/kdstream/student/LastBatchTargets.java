package io.kdstream.student;

import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.student.train.StudentLoop;
import java.util.HashMap;
import java.util.Map;

/**
 * DLB, "self-distillation from the last mini-batch" (Shen et al., CVPR 2022): the student's own softened predictions
 * on the samples of its previous batch, detached, are the soft targets for those samples when they come back (freshly
 * augmented) in the first half of the next batch. Kept per source partition: the augmenter builds the overlap within
 * a partition's ordered stream, and the trainer consumes each partition in order, so "the previous batch" of a
 * partition is always the batch just before it. After a restart the first batch of a partition has no targets and
 * trains on CE alone. Confined to the trainer's DJL thread.
 */
final class LastBatchTargets {
    private final float temperature;
    private final int k;
    private final Map<Integer, Map<Long, float[]>> previous = new HashMap<>();

    LastBatchTargets(float temperature, int k) {
        this.temperature = temperature;
        this.k = k;
    }

    /** Trains one batch: KD towards the stored predictions where there are some, then stores this step's. */
    StudentLoop.StepResult step(StudentLoop loop, AugmentedBatch batch) {
        Targets t = targets(batch);
        StudentLoop.StepResult r = loop.step(batch.trainingView(), batch.targets(), t.logits(), t.mask());
        remember(batch, r.logits());
        return r;
    }

    /** Soft targets as logits (T log p, so softmax(z / T) = p) and the mask of rows that have them. */
    record Targets(float[] logits, float[] mask, int rows) {
    }

    Targets targets(AugmentedBatch batch) {
        Map<Long, float[]> prev = previous.getOrDefault(batch.partition(), Map.of());
        int n = batch.size();
        float[] z = new float[n * k];
        float[] mask = new float[n];
        int rows = 0;
        for (int i = 0; i < n; i++) {
            float[] p = prev.get(batch.sampleIds()[i]);
            if (p == null) {
                continue;
            }
            mask[i] = 1;
            rows++;
            for (int j = 0; j < k; j++) {
                z[i * k + j] = (float) (temperature * Math.log(Math.max(p[j], 1e-12f)));
            }
        }
        return rows == 0 ? new Targets(null, null, 0) : new Targets(z, mask, rows);
    }

    /** Keeps softmax(logits / T) of every sample of the batch, replacing the partition's previous batch. */
    void remember(AugmentedBatch batch, float[] logits) {
        Map<Long, float[]> now = new HashMap<>();
        double[] logP = new double[k];
        for (int i = 0; i < batch.size(); i++) {
            Evaluation.logSoftmax(logits, i, k, temperature, logP);
            float[] p = new float[k];
            boolean finite = true;
            for (int j = 0; j < k; j++) {
                p[j] = (float) Math.exp(logP[j]);
                finite &= Float.isFinite(p[j]);
            }
            if (finite) { // a step whose logits were not finite leaves its samples CE only, not NaN targets
                now.put(batch.sampleIds()[i], p);
            }
        }
        previous.put(batch.partition(), now);
    }
}
