package io.kdstream.models;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A model trained by kdstream, as a directory: {@code model.properties} (the {@link ModelSpec} plus free-form
 * {@code info.*} entries such as accuracy and the command that made it) and {@code model.params} (DJL's parameter
 * stream of the block). Writes are atomic: files are written under temporary names and moved into place.
 */
public final class SavedModel {
    /** The properties file name. */
    public static final String PROPERTIES = "model.properties";
    /** The parameters file name. */
    public static final String PARAMS = "model.params";

    private SavedModel() {
    }

    /** A loaded model and what it is; closing it closes the model. */
    public record Loaded(Model model, ModelSpec spec, Map<String, String> info) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /** Saves the block's parameters and the spec into {@code dir}, creating it. */
    public static void save(Block block, ModelSpec spec, Path dir, Map<String, String> info) {
        try {
            Files.createDirectories(dir);
            Path params = dir.resolve(PARAMS + ".tmp");
            try (DataOutputStream os = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(params)))) {
                block.saveParameters(os);
            }
            Properties p = spec.toProperties();
            new TreeMap<>(info).forEach((k, v) -> p.setProperty("info." + k, v));
            Path props = dir.resolve(PROPERTIES + ".tmp");
            try (OutputStream os = Files.newOutputStream(props)) {
                p.store(os, "kdstream model");
            }
            Files.move(params, dir.resolve(PARAMS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(props, dir.resolve(PROPERTIES), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Reads only the spec and info of a saved model. */
    public static Map.Entry<ModelSpec, Map<String, String>> describe(Path dir) {
        Path file = dir.resolve(PROPERTIES);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage() + "; a kdstream model "
                    + "directory holds " + PROPERTIES + " and " + PARAMS, e);
        }
        Map<String, String> info = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("info.")) {
                info.put(k.substring(5), p.getProperty(k));
            }
        }
        return Map.entry(ModelSpec.fromProperties(p, file.toString()), info);
    }

    /**
     * Loads a saved model onto a device.
     *
     * @throws IllegalArgumentException naming the file when the directory is not a loadable kdstream model
     */
    public static Loaded load(Path dir, String name, Device device) {
        Map.Entry<ModelSpec, Map<String, String>> d = describe(dir);
        ModelSpec spec = d.getKey();
        Path params = dir.resolve(PARAMS);
        Model model = Model.newInstance(name, device, Models.ENGINE);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(params)))) {
            Block block = Models.newBlock(spec);
            block.loadParameters(model.getNDManager(), in);
            model.setBlock(block);
            return new Loaded(model, spec, d.getValue());
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalArgumentException("cannot load " + params + " as a " + spec.describe() + ": "
                    + e.getMessage() + "; the file is damaged or was saved for another architecture", e);
        }
    }
}
