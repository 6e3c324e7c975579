package io.kdstream.models;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.kdstream.core.wire.View;
import java.nio.file.Path;
import java.util.Map;

/**
 * A frozen model for inference: eval mode (batch norm uses running statistics), no gradients, every array of a
 * call in a sub-manager closed before returning. Not thread-safe: use it from one scheduler.
 */
public final class Network implements LoadedModel {
    private final Model model;
    private final ModelSpec spec;
    private final Map<String, String> info;

    /**
     * @param model the model, owned and closed by this network
     * @param spec  what it is
     * @param info  free-form facts saved with it
     */
    public Network(Model model, ModelSpec spec, Map<String, String> info) {
        this.model = model;
        this.spec = spec;
        this.info = Map.copyOf(info);
    }

    /** Loads a kdstream saved model. */
    public static Network load(Path dir, Device device) {
        SavedModel.Loaded l = SavedModel.load(dir, dir.getFileName().toString(), device);
        return new Network(l.model(), l.spec(), l.info());
    }

    @Override
    public String describe() {
        return spec.describe();
    }

    @Override
    public long parameterCount() {
        return Models.parameterCount(model.getBlock());
    }

    public ModelSpec spec() {
        return spec;
    }

    public Map<String, String> info() {
        return info;
    }

    public Model model() {
        return model;
    }

    /** N*K logits of a view. */
    @Override
    public float[] logits(View view) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = Inputs.toInput(m, view, spec);
            NDArray out = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false)
                    .singletonOrThrow();
            return out.toFloatArray();
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

    @Override
    public void close() {
        model.close();
    }
}
