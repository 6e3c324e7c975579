package io.kdstream.app;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.models.Models;
import io.kdstream.tuning.DataPathPriority;
import io.kdstream.tuning.EngineIsa;
import io.kdstream.tuning.EngineSpin;
import io.kdstream.tuning.EngineThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code kdstream engine}: loads the deep-learning engine, names it, lists the devices it sees, and runs one small
 * computation on the device {@code --device} selects (default auto). Container images run it at build time, which
 * also unpacks the native library once into the image; on a GPU host it is the quickest check that the GPU is used.
 */
final class EngineCommand {
    private EngineCommand() {
    }

    static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(args, env, positional);
        String choice;
        try {
            choice = s.string(Keys.DEVICE);
            s.requireAllUsed();
            if (!positional.isEmpty()) {
                throw new ConfigException("unexpected argument(s) " + positional + "; settings are --key=value");
            }
        } catch (ConfigException e) {
            System.err.println("kdstream engine: " + e.getMessage());
            return 2;
        }
        Engine engine = Engine.getEngine(Models.ENGINE);
        System.out.println("engine: " + engine.getEngineName() + " " + engine.getVersion());
        System.out.println("GPUs visible: " + engine.getGpuCount());
        System.out.println("PyTorch intra-op threads: " + EngineThreads.inUse() + " of "
                + Runtime.getRuntime().availableProcessors() + " cores (--" + EngineThreads.KEY + "), OpenMP: "
                + EngineSpin.describe() + " (--" + EngineSpin.KEY + "), oneDNN: " + EngineIsa.describe() + " (--"
                + EngineIsa.KEY + ")");
        Device device = Models.device(choice);
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray x = m.arange(6f).reshape(2, 3);
            float sum = x.matMul(x.transpose()).sum().getFloat();
            System.out.println("device " + choice + " -> " + device + ": test computation " + (sum == 83f ? "ok"
                    : "WRONG (" + sum + ")"));
            System.out.println("threads: " + DataPathPriority.census() + " (--" + DataPathPriority.KEY + ")");
            return sum == 83f ? 0 : 1;
        }
    }
}
