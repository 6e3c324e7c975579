package io.kdstream.student.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.Models;
import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel copies of the student on further devices (the student's own model is replica 0 and lives in
 * {@link StudentLoop}). A step splits the batch into one slice per replica; each replica runs forward and backward on
 * its slice; {@link #reduceInto} adds their gradients into replica 0's, which takes the optimizer step alone; then
 * {@link #broadcastFrom} copies the updated weights back and averages the batch-norm running statistics. With losses
 * normalised by the whole batch (see {@link KdLoss#components(ai.djl.ndarray.NDList, ai.djl.ndarray.NDList, float,
 * float)}) the sum of the slices' gradients is the whole batch's gradient, so a step on N devices is the same step
 * as on one (up to float rounding and to batch-norm statistics, which each replica takes over its own slice, as
 * PyTorch's DataParallel does).
 *
 * <p>The replicas are driven from the student's one DJL thread; on GPUs their kernels run asynchronously, so the
 * devices overlap. A device may repeat (for example {@code cpu,cpu}): the replicas are separate models either way,
 * which is how the tests check the arithmetic on a machine without GPUs.
 */
final class Replicas implements AutoCloseable {
    private final List<Model> models = new ArrayList<>();
    private final List<List<Parameter>> parameters = new ArrayList<>();

    /** Builds one replica per device, each a copy of {@code main}'s parameters (replica 0's, in block order). */
    Replicas(ModelSpec spec, List<Device> devices, List<Parameter> main) {
        try {
            for (int i = 0; i < devices.size(); i++) {
                Model m = Models.newModel("student-replica-" + (i + 1), spec, devices.get(i));
                models.add(m);
                m.getBlock().initialize(m.getNDManager(), DataType.FLOAT32, Models.inputShape(spec));
                List<Parameter> ps = StudentLoop.parameters(m.getBlock());
                for (int p = 0; p < ps.size(); p++) {
                    if (ps.size() != main.size() || !ps.get(p).getArray().getShape()
                            .equals(main.get(p).getArray().getShape())) {
                        throw new IllegalStateException("replica " + (i + 1) + " of " + spec.describe()
                                + " does not have the student's parameters");
                    }
                }
                parameters.add(ps);
            }
            broadcastFrom(main, 0);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    int size() {
        return models.size();
    }

    /** Replica {@code i}'s parameters in block order. */
    List<Parameter> parameters(int i) {
        return parameters.get(i);
    }

    /** A manager on replica {@code i}'s device for one step's arrays. */
    NDManager newStepManager(int i) {
        return models.get(i).getNDManager().newSubManager();
    }

    /** Training-mode forward pass of replica {@code i}. */
    NDList forward(int i, NDManager stepManager, NDList input) {
        return models.get(i).getBlock().forward(new ParameterStore(stepManager, false), input, true);
    }

    /** Zeroes the replicas' gradients ({@code clean}: see {@link StudentLoop#zeroGradients}). */
    void zeroGradients(boolean clean) {
        for (List<Parameter> ps : parameters) {
            StudentLoop.zeroGradients(ps, clean);
        }
    }

    /** Adds the gradients of the first {@code used} replicas into {@code main}'s (replica 0's) gradients. */
    void reduceInto(List<Parameter> main, int used) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int p = 0; p < main.size(); p++) {
                NDArray w = main.get(p).getArray();
                if (!w.hasGradient()) {
                    continue;
                }
                NDArray g = w.getGradient();
                for (int r = 0; r < used; r++) {
                    NDArray theirs = parameters.get(r).get(p).getArray();
                    if (theirs.hasGradient()) {
                        g.addi(theirs.getGradient().toDevice(g.getDevice(), true));
                    }
                }
            }
        }
    }

    /**
     * Makes every replica equal to {@code main}: trained weights are copied; running statistics (parameters
     * without gradient) first become the mean over {@code main} and the first {@code used} replicas, which saw the
     * other slices of the batch.
     */
    void broadcastFrom(List<Parameter> main, int used) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int p = 0; p < main.size(); p++) {
                NDArray w = main.get(p).getArray();
                if (!w.hasGradient() && used > 0) {
                    NDArray sum = w.duplicate();
                    for (int r = 0; r < used; r++) {
                        sum.addi(parameters.get(r).get(p).getArray().toDevice(w.getDevice(), true));
                    }
                    sum.divi(used + 1).copyTo(w);
                }
                for (List<Parameter> replica : parameters) {
                    NDArray target = replica.get(p).getArray();
                    w.toDevice(target.getDevice(), true).copyTo(target);
                }
            }
        }
    }

    @Override
    public void close() {
        for (Model m : models) {
            m.close();
        }
        models.clear();
    }
}
