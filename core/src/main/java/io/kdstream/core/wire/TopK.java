package io.kdstream.core.wire;

/**
 * Compact soft labels for many classes: per image, the K largest teacher logits with their classes, and the log of the
 * probability mass of the other classes ({@code log sum exp} of their logits, at temperature 1). Read back, the K
 * logits are as sent and each other class gets the logit {@code rest - log(C - K)}, which spreads the rest's mass
 * evenly over them: the top K and the total mass they leave are exact, the shape of the tail is lost. At the
 * distillation temperature T the reconstruction is exact for T = 1 and close for the usual T (docs/WIRE.md).
 *
 * @param k      logits kept per image
 * @param half   whether the logits travel as float16
 * @param index  N*K classes, largest logit first
 * @param values N*K logits, in {@code index} order
 * @param rest   N logs of the other classes' mass
 * @param n      images
 * @param c      classes
 */
record TopK(int k, boolean half, int[] index, float[] values, float[] rest, int n, int c) {

    /** Picks the K largest logits of each image (ties: the lower class first). */
    static TopK of(float[] logits, int n, int c, int k) {
        int[] index = new int[n * k];
        float[] values = new float[n * k];
        float[] rest = new float[n];
        Integer[] order = new Integer[c];
        for (int i = 0; i < n; i++) {
            int base = i * c;
            for (int j = 0; j < c; j++) {
                order[j] = j;
            }
            java.util.Arrays.sort(order, (a, b) -> {
                int byValue = Float.compare(logits[base + b], logits[base + a]);
                return byValue != 0 ? byValue : Integer.compare(a, b);
            });
            double max = Double.NEGATIVE_INFINITY;
            for (int j = k; j < c; j++) {
                max = Math.max(max, logits[base + order[j]]);
            }
            double sum = 0;
            for (int j = k; j < c; j++) {
                sum += Math.exp(logits[base + order[j]] - max);
            }
            rest[i] = (float) (max + Math.log(sum));
            for (int j = 0; j < k; j++) {
                index[i * k + j] = order[j];
                values[i * k + j] = logits[base + order[j]];
            }
        }
        return new TopK(k, false, index, values, rest, n, c);
    }

    /** The full N*C logits: the top K as sent, the others sharing the rest's mass evenly. */
    float[] logits() {
        float[] out = new float[n * c];
        float each = (float) (-Math.log(c - k));
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(out, i * c, (i + 1) * c, rest[i] + each);
            for (int j = 0; j < k; j++) {
                out[i * c + index[i * k + j]] = values[i * k + j];
            }
        }
        return out;
    }

    void write(Frame.Builder b, boolean halfPrecision) {
        int[] shape = {n, k};
        b.property("teacher_top_k", k);
        if (c <= 256) { // a class fits a byte
            byte[] idx = new byte[index.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = (byte) index[i];
            }
            b.tensor(Tensor.ofBytes("teacher_topk_class", shape, idx));
        } else {
            b.tensor(Tensor.ofInts("teacher_topk_class", shape, index));
        }
        b.tensor(halfPrecision ? Tensor.ofHalfs("teacher_topk_logit", shape, values)
                : Tensor.ofFloats("teacher_topk_logit", shape, values));
        b.tensor(Tensor.ofFloats("teacher_rest_logmass", new int[] {n}, rest));
    }

    /** The top-K logits of a frame, or null when it carries every logit. */
    static TopK read(Frame f, int n, int c) {
        Tensor cls = f.optionalTensor("teacher_topk_class");
        if (cls == null) {
            return null;
        }
        String batch = AugmentedBatch.key(f.epoch(), f.partition(), f.id());
        int k = (int) f.longProperty("teacher_top_k");
        if (k < 1 || k >= c) {
            throw new WireFormatException("batch " + batch + ": teacher_top_k=" + k + " must be 1.." + (c - 1));
        }
        int[] index;
        if (cls.dtype() == DType.UINT8) {
            byte[] b = cls.require(DType.UINT8, n, k).toBytes();
            index = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                index[i] = b[i] & 0xff;
            }
        } else {
            index = cls.require(DType.INT32, n, k).toInts();
        }
        for (int v : index) {
            if (v < 0 || v >= c) {
                throw new WireFormatException("batch " + batch + ": teacher_topk_class " + v + " is not one of " + c
                        + " classes");
            }
        }
        Tensor values = f.tensor("teacher_topk_logit");
        if (values.dtype() != DType.FLOAT32 && values.dtype() != DType.FLOAT16) {
            throw new WireFormatException("batch " + batch + ": teacher_topk_logit must be float32 or float16");
        }
        float[] v = values.toFloats();
        if (v.length != n * k) {
            throw new WireFormatException("batch " + batch + ": teacher_topk_logit has " + v.length + " values, "
                    + "expected " + n * k);
        }
        return new TopK(k, values.dtype() == DType.FLOAT16, index, v,
                f.tensor("teacher_rest_logmass").require(DType.FLOAT32, n).toFloats(), n, c);
    }
}
