package io.kdstream.models;

import ai.djl.Device;
import io.kdstream.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model loaded for inference that holds native memory until closed: a kdstream network or a TorchScript file. */
public interface LoadedModel extends LogitsFunction, AutoCloseable {
    @Override
    void close();

    /** What it is, for logs and summaries: {@code cnn w32 d2 28px 10 classes}. */
    String describe();

    /** Its parameter count. */
    long parameterCount();

    /**
     * Opens a teacher wherever one is accepted: a kdstream model directory, or a TorchScript file, which takes
     * {@code input}.
     *
     * @param key the setting that named it, for the error when nothing is there
     */
    static LoadedModel open(Path path, TorchScriptModel.Input input, Device device, String key) {
        if (Files.isDirectory(path)) {
            return Network.load(path, device);
        }
        if (Files.isRegularFile(path)) {
            return new TorchScriptModel(path, input, device);
        }
        throw new ConfigException("setting " + key + "=" + path + " is invalid: no such file or directory; point it at "
                + "a kdstream model directory or a TorchScript .pt file");
    }
}
