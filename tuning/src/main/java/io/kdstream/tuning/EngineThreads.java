package io.kdstream.tuning;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.ProcessSetting;
import java.util.List;
import java.util.Map;

/**
 * {@code engine.threads}: PyTorch's intra-op threads for the whole process ({@code KDS_ENGINE_THREADS} in compose).
 * PyTorch's default is one per core, which is right for a process that does nothing else; a kdstream service also
 * runs Kafka clients, codecs and the JIT (and the one-machine commands run the broker too), and every such thread
 * that lands on a core PyTorch counts as its own stalls a parallel op until it is rescheduled. On a 16-core host the
 * Kafka-fed student and teacher service ran fastest with 8 intra-op threads, ahead of 12 and 16
 * (docs/PERFORMANCE.md has the measurement).
 * {@code auto} (the default) therefore uses half the cores, at least 4, on machines with more than 4 cores, and
 * every core on smaller ones, where a core less costs more than the stalls (this 2-core machine: 2).
 * It is a process setting read once at start-up, before the engine loads, so {@code Kdstream} takes it off the
 * command line before a command parses its own settings.
 */
public final class EngineThreads {
    /** The DL engine kdstream runs: PyTorch through DJL. */
    public static final String ENGINE = "PyTorch";
    /** The setting's key. */
    public static final String KEY = io.kdstream.core.config.Keys.ENGINE_THREADS.name();
    /** DJL's system property for PyTorch's intra-op threads, read when the engine loads. */
    public static final String DJL_PROPERTY = "ai.djl.pytorch.num_threads";

    /**
     * What a process was started with: the arguments and environment without {@code engine.threads}, and the
     * thread count chosen (0 where the user's own {@code -Dai.djl.pytorch.num_threads} or {@code OMP_NUM_THREADS}
     * is left to decide).
     */
    public record Taken(List<String> args, Map<String, String> env, int threads) {
    }

    private EngineThreads() {
    }

    /** The intra-op threads PyTorch uses now (loads the engine if it is not loaded yet). */
    public static int inUse() {
        ai.djl.engine.Engine.getEngine(ENGINE);
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /** The {@code auto} count for a machine with this many cores. */
    public static int auto(int cores) {
        return cores <= 4 ? Math.max(1, cores) : Math.max(4, cores / 2);
    }

    /**
     * Takes {@code --engine.threads=N|auto} (or {@code KDS_ENGINE_THREADS}) out of the arguments and environment and
     * sets DJL's property for it. An explicit value always applies; {@code auto} leaves an explicit
     * {@code -Dai.djl.pytorch.num_threads} or {@code OMP_NUM_THREADS} alone.
     *
     * @throws ConfigException when the value is neither {@code auto} nor a positive integer
     */
    public static Taken take(List<String> args, Map<String, String> env, int cores) {
        ProcessSetting taken = ProcessSetting.take(KEY, args, env);
        String value = taken.value() == null ? "auto" : taken.value();
        int threads;
        if (value.equalsIgnoreCase("auto")) {
            boolean userChose = System.getProperty(DJL_PROPERTY) != null || env.get("OMP_NUM_THREADS") != null;
            threads = userChose ? 0 : auto(cores);
        } else {
            try {
                threads = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                threads = -1;
            }
            ConfigException.require(threads >= 1 && threads <= 1024, KEY, value,
                    "must be auto or the number of PyTorch intra-op threads (1..1024)");
        }
        if (threads > 0) {
            System.setProperty(DJL_PROPERTY, Integer.toString(threads));
        }
        return new Taken(taken.args(), taken.env(), threads);
    }
}
