package io.kdstream.student.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The distillation loss of METHOD.md section 1: {@code w_ce * CE(z_s, y) + w_kd * T^2 * KL(p_t || p_s)}, where
 * y is the (possibly mixed) soft target, p_t = softmax(z_t / T) and p_s = softmax(z_s / T), each term averaged
 * over the batch. Labels are {@code [targets (N,K)]} or {@code [targets (N,K), teacher logits (N,K)]}; without
 * teacher logits the KD term is 0 (supervised training). Setting w_ce = 0 gives KD-only training. An optional third
 * label, a row mask (N) of 0 and 1, limits the KD term to the rows that have soft targets and averages it over them
 * (DLB: only the half of a batch that repeats the previous batch has the previous predictions as targets).
 */
public final class KdLoss extends Loss {
    private final float temperature;
    private final float ceWeight;
    private final float kdWeight;

    /**
     * @param temperature T > 0
     * @param ceWeight    weight of the cross-entropy on the targets, >= 0
     * @param kdWeight    weight of the distillation term, >= 0
     */
    public KdLoss(float temperature, float ceWeight, float kdWeight) {
        super("kd");
        if (!(temperature > 0) || ceWeight < 0 || kdWeight < 0 || ceWeight + kdWeight == 0) {
            throw new IllegalArgumentException("KD loss needs T > 0, weights >= 0 and not both 0; got T="
                    + temperature + ", w_ce=" + ceWeight + ", w_kd=" + kdWeight);
        }
        this.temperature = temperature;
        this.ceWeight = ceWeight;
        this.kdWeight = kdWeight;
    }

    public float temperature() {
        return temperature;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return components(labels, predictions).get(0);
    }

    /** {@code [total, ce, kd]} as scalars; the parts are unweighted. */
    public NDList components(NDList labels, NDList predictions) {
        float rows = predictions.singletonOrThrow().getShape().get(0);
        float masked = labels.size() > 2 ? Math.max(1f, labels.get(2).sum().getFloat()) : rows;
        return components(labels, predictions, rows, masked);
    }

    /**
     * The components of a slice of a larger batch: each term is the slice's SUM divided by the whole batch's count
     * ({@code batchRows} rows, {@code maskedRows} rows with a KD target when a mask is given), so the slices'
     * results add up to the whole batch's. Data-parallel replicas use it to split one batch exactly.
     */
    public NDList components(NDList labels, NDList predictions, float batchRows, float maskedRows) {
        NDArray z = predictions.singletonOrThrow();
        NDArray targets = labels.get(0);
        NDArray ce = targets.mul(z.logSoftmax(1)).sum().div(batchRows).neg();
        NDArray kd;
        if (labels.size() > 1) {
            NDArray logPt = labels.get(1).div(temperature).logSoftmax(1);
            NDArray logPs = z.div(temperature).logSoftmax(1);
            NDArray perRow = logPt.exp().mul(logPt.sub(logPs)).sum(new int[] {1});
            NDArray sum = labels.size() > 2 ? perRow.mul(labels.get(2)).sum() : perRow.sum();
            kd = sum.div(labels.size() > 2 ? maskedRows : batchRows).mul(temperature * temperature);
        } else {
            kd = z.getManager().create(0f);
        }
        NDArray total = ce.mul(ceWeight).add(kd.mul(kdWeight));
        return new NDList(total, ce, kd);
    }
}
