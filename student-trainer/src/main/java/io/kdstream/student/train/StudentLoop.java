package io.kdstream.student.train;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;
import io.kdstream.core.wire.View;
import io.kdstream.models.Inputs;
import io.kdstream.models.LogitsFunction;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.Models;
import io.kdstream.models.SavedModel;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The DJL side of the student: one model, its AdamW optimizer and KD loss. {@link #step} is one training step
 * (forward, loss, backward inside a gradient collector, optional global-norm clipping, optimizer step, which
 * is skipped when the gradients are not finite), with every
 * array of the step in a sub-manager closed at its end. Knows nothing of Kafka. Not thread-safe: run it on one
 * dedicated scheduler.
 */
public final class StudentLoop implements LogitsFunction, AutoCloseable {
    /**
     * What one step reports.
     *
     * @param logits   the student's N*K logits on the batch in this step's forward pass (before the update), detached
     * @param gradNorm the global gradient norm before clipping; not finite when the step's update was skipped
     */
    public record StepResult(float loss, float ce, float kd, double learningRate, double gradNorm, float[] logits) {
        /** Whether the update was skipped: the gradients were not finite (or their squares overflowed float). */
        public boolean skipped() {
            return !Double.isFinite(gradNorm);
        }
    }

    /**
     * Optimisation settings.
     *
     * @param temperature KD temperature T
     * @param ceWeight    weight on the cross-entropy with the (mixed) targets
     * @param kdWeight    weight on the KD term
     * @param schedule    learning rate per step
     * @param weightDecay decoupled weight decay
     * @param noBiasDecay exclude biases and norm parameters from decay
     * @param clipNorm    global gradient-norm clip, 0 for none
     * @param labelSmoothing epsilon of label smoothing on the CE targets, 0 for none
     * @param seed        seeds the initial weights ({@code student.seed}); null leaves them to the engine's generator
     */
    public record Options(float temperature, float ceWeight, float kdWeight, LrSchedule schedule, float weightDecay,
                          boolean noBiasDecay, float clipNorm, float labelSmoothing, Long seed) {
        /** Options with unseeded initial weights. */
        public Options(float temperature, float ceWeight, float kdWeight, LrSchedule schedule, float weightDecay,
                       boolean noBiasDecay, float clipNorm, float labelSmoothing) {
            this(temperature, ceWeight, kdWeight, schedule, weightDecay, noBiasDecay, clipNorm, labelSmoothing, null);
        }

        /** Options without label smoothing. */
        public Options(float temperature, float ceWeight, float kdWeight, LrSchedule schedule, float weightDecay,
                       boolean noBiasDecay, float clipNorm) {
            this(temperature, ceWeight, kdWeight, schedule, weightDecay, noBiasDecay, clipNorm, 0f);
        }
    }

    /**
     * Label smoothing of soft targets: each labelled row becomes (1 - eps) * row + eps / K; rows of unlabelled
     * samples (all zeros) stay zero. Mixed labels are smoothed after mixing, as in Bag of Tricks.
     */
    public static float[] smoothLabels(float[] targets, int k, float eps) {
        if (eps == 0) {
            return targets;
        }
        float[] out = new float[targets.length];
        for (int row = 0; row < targets.length / k; row++) {
            float sum = 0;
            for (int j = 0; j < k; j++) {
                sum += targets[row * k + j];
            }
            for (int j = 0; j < k; j++) {
                out[row * k + j] = sum == 0 ? 0 : (1 - eps) * targets[row * k + j] + eps * sum / k;
            }
        }
        return out;
    }

    private final ModelSpec spec;
    private final Model model;
    private final KdLoss loss;
    private final AdamW optimizer;
    private final Trainer trainer;
    private final float clipNorm;
    private final float labelSmoothing;
    private final List<Parameter> parameters;
    private final Replicas replicas;
    private long step;
    private int rollbacks;
    private boolean lastSkipped;

    /** Builds a freshly initialised student on one device. */
    public StudentLoop(ModelSpec spec, Options options, Device device) {
        this(spec, options, List.of(device));
    }

    /**
     * Builds a freshly initialised student trained data-parallel on {@code devices}: the model and optimizer live on
     * the first; each further device holds a replica that takes a slice of every batch (see {@link Replicas}).
     */
    public StudentLoop(ModelSpec spec, Options options, List<Device> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("a student needs at least one device");
        }
        Device device = devices.get(0);
        this.spec = spec;
        this.model = Models.newModel("student", spec, device);
        this.loss = new KdLoss(options.temperature(), options.ceWeight(), options.kdWeight());
        this.optimizer = new AdamW(options.schedule(), 0.9f, 0.999f, 1e-8f, options.weightDecay(),
                options.noBiasDecay() ? AdamW::decaysWeightsOnly : name -> true);
        this.trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer)
                .optDevices(new Device[] {device}));
        if (options.seed() != null) { // the initialisers draw from the engine's generator, on this (the DJL) thread
            ai.djl.engine.Engine.getEngine(Models.ENGINE).setRandomSeed(Long.hashCode(options.seed()));
        }
        trainer.initialize(Models.inputShape(spec));
        this.clipNorm = options.clipNorm();
        this.labelSmoothing = options.labelSmoothing();
        optimizer.bind(model.getBlock(), trainer.getManager());
        this.parameters = parameters(model.getBlock());
        this.replicas = new Replicas(spec, devices.subList(1, devices.size()), parameters);
    }

    /** The devices this student trains on, the optimizer's first. */
    public int deviceCount() {
        return 1 + replicas.size();
    }

    /**
     * The values of replica {@code r}'s parameters (0: the optimizer's model), in block order; with
     * {@code trainedOnly} only those with gradients, without running statistics (tests).
     */
    List<float[]> parameterValues(int r, boolean trainedOnly) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : r == 0 ? parameters : replicas.parameters(r - 1)) {
            if (!trainedOnly || p.getArray().hasGradient()) {
                out.add(p.getArray().toFloatArray());
            }
        }
        return out;
    }

    /** A block's parameters in block order. */
    static List<Parameter> parameters(ai.djl.nn.Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getValue());
        }
        return out;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** Steps taken so far (restored by {@link #readState}). */
    public long steps() {
        return step;
    }

    /** The optimizer (tests and diagnostics). */
    AdamW optimizer() {
        return optimizer;
    }

    /** Parameters of the student. */
    public long parameterCount() {
        return Models.parameterCount(model.getBlock());
    }

    /**
     * One training step.
     *
     * @param view          the batch as the student sees it
     * @param targets       N*K soft targets (mixed one-hot labels; zeros for unlabeled samples)
     * @param teacherLogits N*K teacher logits, or null for supervised training
     */
    public StepResult step(View view, float[] targets, float[] teacherLogits) {
        return step(view, targets, teacherLogits, null);
    }

    /**
     * One training step whose KD term covers only the rows where {@code kdMask} is 1 (DLB).
     *
     * @param kdMask N entries of 0 or 1, or null for every row
     */
    public StepResult step(View view, float[] targets, float[] teacherLogits, float[] kdMask) {
        int n = view.count();
        int k = spec.classes();
        float[] y = smoothLabels(targets, k, labelSmoothing);
        float masked = kdMask == null ? n : Math.max(1f, sum(kdMask));
        int slices = Math.min(deviceCount(), n);
        List<NDManager> managers = new ArrayList<>();
        try {
            managers.add(trainer.getManager().newSubManager());
            for (int r = 1; r < slices; r++) {
                managers.add(replicas.newStepManager(r - 1));
            }
            zeroGradients(parameters, lastSkipped);
            replicas.zeroGradients(lastSkipped);
            List<NDArray> statistics = statistics(managers.get(0));
            List<NDList> results = new ArrayList<>();
            try (GradientCollector collector = trainer.newGradientCollector()) {
                for (int r = 0; r < slices; r++) { // launch every slice before reading any result back
                    int from = r * n / slices;
                    int to = (r + 1) * n / slices;
                    NDManager m = managers.get(r);
                    NDList data = new NDList(Inputs.toInput(m, slice(view, from, to), spec));
                    NDList labels = labels(m, y, teacherLogits, kdMask, from, to, k);
                    NDList predictions = r == 0 ? trainer.forward(data, labels)
                            : replicas.forward(r - 1, m, data);
                    NDList l = loss.components(labels, predictions, n, masked);
                    collector.backward(l.get(0));
                    l.add(predictions.singletonOrThrow());
                    results.add(l);
                }
            }
            float[] parts = new float[3];
            float[] logits = new float[n * k];
            for (int r = 0; r < slices; r++) {
                NDList l = results.get(r);
                for (int i = 0; i < 3; i++) {
                    parts[i] += l.get(i).getFloat();
                }
                float[] z = l.get(3).toFloatArray();
                System.arraycopy(z, 0, logits, r * n / slices * k, z.length);
            }
            replicas.reduceInto(parameters, slices - 1);
            double norm = clipGradients();
            optimizer.setStep(step);
            double lr = optimizer.learningRate();
            boolean finite = Double.isFinite(norm);
            lastSkipped = !finite;
            if (finite) {
                trainer.step();
            } else { // skipped: one such update would leave NaN in the weights, or an infinite second moment that
                // freezes its parameters for good; the forward pass's batch statistics are put back too
                restoreStatistics(statistics);
            }
            step++; // the schedule moves on with the stream either way
            if (replicas.size() > 0) {
                replicas.broadcastFrom(parameters, finite ? slices - 1 : 0);
            }
            return new StepResult(parts[0], parts[1], parts[2], lr, norm, logits);
        } finally {
            managers.forEach(NDManager::close);
        }
    }

    /** Copies, in {@code m}, of the parameters that have no gradient (batch norm's running statistics). */
    private List<NDArray> statistics(NDManager m) {
        List<NDArray> out = new ArrayList<>();
        for (Parameter p : parameters) {
            NDArray a = p.getArray();
            if (!a.hasGradient()) {
                NDArray copy = a.duplicate();
                copy.attach(m);
                out.add(copy);
            }
        }
        return out;
    }

    private void restoreStatistics(List<NDArray> copies) {
        int i = 0;
        for (Parameter p : parameters) {
            NDArray a = p.getArray();
            if (!a.hasGradient()) {
                copies.get(i++).copyTo(a);
            }
        }
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive) of a view. */
    private static View slice(View v, int from, int to) {
        if (from == 0 && to == v.count()) {
            return v;
        }
        int size = v.imageSize();
        return new View(to - from, v.height(), v.width(), v.channels(),
                Arrays.copyOfRange(v.pixels(), from * size, to * size));
    }

    /** The labels of rows {@code from..to}: targets, then teacher logits and the KD mask when given. */
    private static NDList labels(NDManager m, float[] y, float[] teacherLogits, float[] kdMask, int from, int to,
                                 int k) {
        Shape shape = new Shape(to - from, k);
        NDList labels = new NDList(m.create(Arrays.copyOfRange(y, from * k, to * k), shape));
        if (teacherLogits != null) {
            labels.add(m.create(Arrays.copyOfRange(teacherLogits, from * k, to * k), shape));
            if (kdMask != null) {
                labels.add(m.create(Arrays.copyOfRange(kdMask, from, to), new Shape(to - from)));
            }
        }
        return labels;
    }

    /**
     * Zeroes gradients: the engine accumulates into them. After a step whose gradients were not finite
     * ({@code clean}), entries that stay NaN when multiplied by zero (NaN and infinities) are set to zero as well, so
     * that they do not spoil every step after it. (DJL's GradientCollector.zeroGradients walks every array of the
     * engine, including those other services in the JVM free concurrently, so it is not used.)
     */
    static void zeroGradients(List<Parameter> parameters, boolean clean) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Parameter p : parameters) {
                NDArray w = p.getArray();
                if (w.hasGradient()) {
                    NDArray g = w.getGradient();
                    g.muli(0);
                    if (clean) {
                        g.set(g.isNaN(), 0);
                    }
                }
            }
        }
    }

    /** Scales all gradients so their global L2 norm is at most {@code clipNorm}; returns the norm before. */
    private double clipGradients() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double sumSquares = 0;
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                NDArray w = p.getValue().getArray();
                if (w.hasGradient()) {
                    sumSquares += w.getGradient().square().sum().getFloat();
                }
            }
            double norm = Math.sqrt(sumSquares);
            if (clipNorm > 0 && norm > clipNorm && Double.isFinite(norm)) {
                float scale = (float) (clipNorm / (norm + 1e-6));
                for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                    NDArray w = p.getValue().getArray();
                    if (w.hasGradient()) {
                        w.getGradient().muli(scale);
                    }
                }
            }
            return norm;
        }
    }

    /** N*K logits in eval mode (batch norm running statistics, no gradients). */
    @Override
    public float[] logits(View view) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray x = Inputs.toInput(m, view, spec);
            return model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
        }
    }

    @Override
    public int classes() {
        return spec.classes();
    }

    @Override
    public int inputSize() {
        return spec.size();
    }

    /** Saves the student as a model a teacher service can load. */
    public void saveModel(Path dir, Map<String, String> info) {
        SavedModel.save(model.getBlock(), spec, dir, info);
    }

    /** Roll-backs made so far ({@link #rollBack}; kept in checkpoints). */
    public int rollbacks() {
        return rollbacks;
    }

    /** The learning rate's multiplier from roll-backs (1 when there were none). */
    public double rateScale() {
        return optimizer.rateScale();
    }

    /**
     * Writes the state a checkpoint keeps: the parameters to {@code params}, the step, the optimizer's moments and
     * the roll-backs so far with the learning-rate scale they left to {@code optimizerState}
     * ({@code io.kdstream.student.Checkpoints} owns the files).
     */
    public void writeState(DataOutputStream params, DataOutputStream optimizerState) throws IOException {
        model.getBlock().saveParameters(params);
        optimizerState.writeLong(step);
        optimizer.save(optimizerState);
        optimizerState.writeDouble(optimizer.rateScale());
        optimizerState.writeInt(rollbacks);
    }

    /** Restores what {@link #writeState} wrote, on every replica. */
    public void readState(DataInputStream params, DataInputStream optimizerState) throws IOException,
            MalformedModelException {
        copyParameters(params);
        step = optimizerState.readLong();
        optimizer.load(optimizerState);
        if (optimizerState.available() > 0) { // checkpoints written before roll-backs end after the moments
            optimizer.rateScale(optimizerState.readDouble());
            rollbacks = optimizerState.readInt();
        }
        replicas.broadcastFrom(parameters, 0);
    }

    /**
     * Rolls back to what {@link #writeState} wrote, on every replica, but stays at the current step (the stream has
     * moved on: the schedule goes on from here), counts the roll-back and multiplies the learning rate by
     * {@code rateScale} from now on.
     */
    public void rollBack(DataInputStream params, DataInputStream optimizerState, double rateScale) throws IOException,
            MalformedModelException {
        long now = step;
        int made = rollbacks;
        double scale = optimizer.rateScale();
        readState(params, optimizerState);
        step = now;
        rollbacks = made + 1;
        optimizer.rateScale(scale * rateScale);
    }

    /**
     * Loads saved parameters into a scratch block and copies them into this model's arrays in place: the trainer's
     * parameter store keeps references to those arrays, so replacing them would leave training on the old values.
     */
    private void copyParameters(DataInputStream in) throws IOException, MalformedModelException {
        ai.djl.nn.Block scratch = Models.newBlock(spec);
        try (NDManager m = trainer.getManager().newSubManager()) {
            scratch.loadParameters(m, in);
            Map<String, Parameter> ours = new java.util.HashMap<>();
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                ours.put(p.getKey(), p.getValue());
            }
            for (Pair<String, Parameter> p : scratch.getParameters()) {
                Parameter target = ours.get(p.getKey());
                if (target == null || !target.getArray().getShape().equals(p.getValue().getArray().getShape())) {
                    throw new MalformedModelException("parameter " + p.getKey() + " does not fit " + spec.describe());
                }
                p.getValue().getArray().copyTo(target.getArray());
            }
        }
    }

    @Override
    public void close() {
        replicas.close();
        trainer.close();
        model.close();
    }
}
