package io.kdstream.models;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import io.kdstream.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Builds models from specs and picks devices. */
public final class Models {
    /** The DJL engine kdstream uses. */
    public static final String ENGINE = io.kdstream.tuning.EngineThreads.ENGINE;

    private Models() {
    }

    /**
     * A model with the spec's block, not yet initialised: a trainer initialises it with
     * {@code trainer.initialize(Models.inputShape(spec))} so its parameters carry gradients.
     */
    public static Model newModel(String name, ModelSpec spec, Device device) {
        Model model = Model.newInstance(name, device, ENGINE);
        Block block = spec.arch().build(spec);
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        model.setBlock(block);
        return model;
    }

    /** The input shape of one image for a spec: (1, C, S, S). */
    public static Shape inputShape(ModelSpec spec) {
        return new Shape(1, spec.channels(), spec.size(), spec.size());
    }

    /** An uninitialised block for the spec (for loading saved parameters into). */
    public static Block newBlock(ModelSpec spec) {
        return spec.arch().build(spec);
    }

    /** Number of scalar parameters of a block. */
    public static long parameterCount(Block block) {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().isInitialized()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    /**
     * The device for a setting: {@code auto} takes the first GPU when the engine sees one, else the CPU;
     * {@code cpu}; {@code gpu} or {@code gpu:N} fail when there is no such GPU.
     */
    public static Device device(String choice) {
        String c = choice.trim().toLowerCase(Locale.ROOT);
        int gpus = Engine.getEngine(ENGINE).getGpuCount();
        if (c.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        if (c.equals("cpu")) {
            return Device.cpu();
        }
        if (c.startsWith("gpu")) {
            int id = c.equals("gpu") ? 0 : Integer.parseInt(c.substring(c.indexOf(':') + 1));
            if (id >= gpus) {
                throw new ConfigException("device " + choice + " requested but the PyTorch engine sees " + gpus
                        + " GPU(s); use device=auto or cpu, or install the CUDA native library");
            }
            return Device.gpu(id);
        }
        throw new ConfigException("device " + choice + " is not auto, cpu, gpu or gpu:N");
    }

    /**
     * Devices for data-parallel training: a comma-separated list of {@link #device} choices ({@code gpu:0,gpu:1}),
     * or {@code gpus} for every GPU the engine sees (the CPU when it sees none). A device may repeat; each entry gets
     * its own replica.
     */
    public static List<Device> devices(String choice) {
        String c = choice.trim().toLowerCase(Locale.ROOT);
        if (c.equals("gpus")) {
            int gpus = Engine.getEngine(ENGINE).getGpuCount();
            List<Device> all = new ArrayList<>();
            for (int i = 0; i < gpus; i++) {
                all.add(Device.gpu(i));
            }
            return all.isEmpty() ? List.of(Device.cpu()) : List.copyOf(all);
        }
        List<Device> out = new ArrayList<>();
        for (String part : c.split(",", -1)) {
            if (part.isBlank()) {
                throw new ConfigException("device list '" + choice + "' has an empty entry; write e.g. gpu:0,gpu:1");
            }
            out.add(device(part));
        }
        return List.copyOf(out);
    }
}
