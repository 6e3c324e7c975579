package io.kdstream.student.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), its state keyed by parameter NAME so it can be saved
 * with a checkpoint and restored into a freshly built model. Weight decay applies only to parameters accepted by
 * {@code decayFilter} (Bag of Tricks: not to biases and normalisation parameters). The learning rate follows an
 * {@link LrSchedule} indexed by the trainer's global step ({@link #setStep(long)}).
 *
 * <p>Update for step t (1-based): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * w -= lr_t (m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps) + wd w).
 */
public final class AdamW extends Optimizer {
    private final LrSchedule schedule;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final Predicate<String> decayFilter;
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, NDArray> m = new TreeMap<>();
    private final Map<String, NDArray> v = new TreeMap<>();
    private NDManager stateManager;
    private long step;
    private double rateScale = 1;

    /**
     * @param schedule    the learning rate per step
     * @param beta1       first-moment decay, e.g. 0.9
     * @param beta2       second-moment decay, e.g. 0.999
     * @param epsilon     e.g. 1e-8
     * @param weightDecay decoupled decay, e.g. 0.01
     * @param decayFilter which parameter names get weight decay
     */
    public AdamW(LrSchedule schedule, float beta1, float beta2, float epsilon, float weightDecay,
                 Predicate<String> decayFilter) {
        super(new OptimizerBuilder<>() {
            @Override
            protected OptimizerBuilder<?> self() {
                return this;
            }
        });
        this.schedule = schedule;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.decayFilter = decayFilter;
    }

    /** Bag of Tricks' rule: decay weights, not biases nor batch-norm gamma/beta/running statistics. */
    public static boolean decaysWeightsOnly(String parameterName) {
        String n = parameterName.toLowerCase(java.util.Locale.ROOT);
        return !(n.endsWith("bias") || n.contains("batchnorm") || n.endsWith("gamma") || n.endsWith("beta")
                || n.contains("layernorm"));
    }

    /** Learns the names of a block's parameters; call once after the block is initialised. */
    public void bind(Block block, NDManager manager) {
        stateManager = manager;
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.put(p.getValue().getId(), p.getKey());
        }
    }

    /** Registers one parameter's name (tests; {@link #bind} does it for a whole block). */
    void bindName(String parameterId, String name, NDManager manager) {
        stateManager = manager;
        names.put(parameterId, name);
    }

    /** The global step whose learning rate the next update uses (0-based). */
    public void setStep(long step) {
        this.step = step;
    }

    /** The learning rate of the current step: the schedule's, times the scale that roll-backs set. */
    public double learningRate() {
        return schedule.rate(step) * rateScale;
    }

    /** What the schedule's rate is multiplied by (1 unless a roll-back lowered it). */
    public double rateScale() {
        return rateScale;
    }

    /** Sets what the schedule's rate is multiplied by from the next update on. */
    public void rateScale(double scale) {
        this.rateScale = scale;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        String name = names.get(parameterId);
        if (name == null) {
            throw new IllegalStateException("parameter " + parameterId + " is unknown; call bind(block) first");
        }
        long t = step + 1;
        float lr = (float) learningRate();
        NDArray mean = m.computeIfAbsent(name, k -> stateManager.zeros(weight.getShape()));
        NDArray var = v.computeIfAbsent(name, k -> stateManager.zeros(weight.getShape()));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            mean.muli(beta1).addi(grad.mul(1 - beta1));
            var.muli(beta2).addi(grad.square().mul(1 - beta2));
            float c1 = (float) (1 - Math.pow(beta1, t));
            float c2 = (float) (1 - Math.pow(beta2, t));
            NDArray update = mean.div(c1).div(var.div(c2).sqrt().add(epsilon));
            if (weightDecay > 0 && decayFilter.test(name)) {
                update = update.add(weight.mul(weightDecay));
            }
            weight.subi(update.mul(lr));
        }
    }

    /** Writes step and moment estimates. */
    public void save(DataOutputStream out) throws IOException {
        out.writeLong(step);
        out.writeInt(m.size());
        for (String name : m.keySet()) {
            out.writeUTF(name);
            byte[] mb = new NDList(m.get(name), v.get(name)).encode();
            out.writeInt(mb.length);
            out.write(mb);
        }
    }

    /**
     * Restores what {@link #save} wrote, and only that: moments of parameters it does not list (none were taken before
     * the state was saved) start from zero again. Call after {@link #bind}.
     */
    public void load(DataInputStream in) throws IOException {
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
        m.clear();
        v.clear();
        step = in.readLong();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            NDList l = NDList.decode(stateManager, b);
            replace(m, name, l.get(0));
            replace(v, name, l.get(1));
        }
    }

    private static void replace(Map<String, NDArray> map, String name, NDArray a) {
        NDArray old = map.put(name, a);
        if (old != null) {
            old.close();
        }
    }

    /** A copy of the first and second moments by parameter name (tests and diagnostics). */
    Map<String, float[][]> moments() {
        Map<String, float[][]> out = new TreeMap<>();
        m.forEach((k, a) -> out.put(k, new float[][] {a.toFloatArray(), v.get(k).toFloatArray()}));
        return out;
    }

    /** The step last set or restored. */
    public long step() {
        return step;
    }
}
