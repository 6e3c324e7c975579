package io.kdstream.teacher;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.kdstream.core.wire.View;
import io.kdstream.models.Inputs;
import io.kdstream.models.LogitsFunction;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.Models;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A teacher exported from PyTorch as TorchScript ({@code torch.jit.trace} or {@code script}), run by DJL's PyTorch
 * engine in eval mode. Its input normalisation, resolution and layout come from the teacher's settings; the file
 * must map a float32 batch to N x K logits.
 */
public final class TorchScriptTeacher implements LogitsFunction, AutoCloseable {
    private final Model model;
    private final ModelSpec input;
    private final boolean nhwc;

    /**
     * @param file   the .pt file
     * @param input  classes, channels, size, mean and std of the model's input (arch/width/depth unused)
     * @param nhwc   true when the model takes N,H,W,C instead of N,C,H,W
     * @param device where to run it
     */
    public TorchScriptTeacher(Path file, ModelSpec input, boolean nhwc, Device device) {
        this.input = input;
        this.nhwc = nhwc;
        this.model = Model.newInstance(file.getFileName().toString(), device, Models.ENGINE);
        try {
            model.load(file);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalArgumentException("cannot load TorchScript teacher " + file + ": " + e.getMessage()
                    + "; export it with torch.jit.trace(model.eval(), example).save(path)", e);
        }
    }

    @Override
    public float[] logits(View view) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = Inputs.toInput(m, view, input);
            if (nhwc) {
                x = x.transpose(0, 2, 3, 1);
            }
            NDArray out = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false)
                    .singletonOrThrow();
            if (out.getShape().dimension() != 2 || out.getShape().get(1) != input.classes()) {
                throw new IllegalStateException("TorchScript teacher returned shape " + out.getShape() + ", expected ("
                        + view.count() + ", " + input.classes() + "); set teacher.classes to its output size");
            }
            return out.toFloatArray();
        }
    }

    @Override
    public int classes() {
        return input.classes();
    }

    @Override
    public int inputSize() {
        return input.size();
    }

    @Override
    public void close() {
        model.close();
    }
}
