package io.kdstream.models;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.wire.View;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model exported from PyTorch as TorchScript ({@code torch.jit.trace} or {@code script}), run by DJL's PyTorch
 * engine in eval mode: a teacher for the teacher service, or the teacher a student is compared with. Its input
 * normalisation, resolution and layout come from the {@code teacher.*} settings ({@link Input}); the file must map a
 * float32 batch to N x K logits.
 */
public final class TorchScriptModel implements LoadedModel {
    /**
     * What a TorchScript model takes: {@code teacher.classes|channels|size|mean|std} and {@code teacher.layout}.
     *
     * @param spec classes, channels, size, mean and std (arch, width and depth unused)
     * @param nhwc true when the model takes N,H,W,C instead of N,C,H,W
     */
    public record Input(ModelSpec spec, boolean nhwc) {
        /** Layout of the input tensor. */
        public enum Layout {
            /** N, C, H, W (PyTorch's usual). */
            NCHW,
            /** N, H, W, C. */
            NHWC
        }

        /** Reads {@code teacher.classes|channels|size|mean|std|layout}. */
        public static Input from(Settings s) {
            int classes = s.integer(Keys.TEACHER_CLASSES);
            int channels = s.integer(Keys.TEACHER_CHANNELS);
            int size = s.integer(Keys.TEACHER_SIZE);
            ModelSpec spec = ModelSpec.from(s, ModelSpec.KeySet.TEACHER_INPUT, classes, channels,
                    new ModelSpec(Architecture.CNN, 1, 1, classes, channels, size, ModelSpec.FASHION_MEAN,
                            ModelSpec.FASHION_STD).forData(classes, channels, fill(channels, ModelSpec.FASHION_MEAN[0]),
                            fill(channels, ModelSpec.FASHION_STD[0])));
            return new Input(spec, s.choice(Keys.TEACHER_LAYOUT, Layout.class) == Layout.NHWC);
        }

        private static float[] fill(int n, float v) {
            float[] out = new float[n];
            java.util.Arrays.fill(out, v);
            return out;
        }
    }
    private final Model model;
    private final ModelSpec input;
    private final boolean nhwc;
    private final String name;

    /**
     * @param file   the .pt file
     * @param input  what the model takes
     * @param device where to run it
     */
    public TorchScriptModel(Path file, Input input, Device device) {
        this.input = input.spec();
        this.nhwc = input.nhwc();
        this.name = file.getFileName().toString();
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
    public String describe() {
        return "TorchScript " + name + " " + input.size() + "px " + input.classes() + " classes";
    }

    @Override
    public long parameterCount() {
        return Models.parameterCount(model.getBlock());
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
