package io.kdstream.tuning;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.ProcessSetting;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

/**
 * {@code engine.omp-spin}: how long PyTorch's OpenMP threads (libgomp) spin at a barrier before they sleep
 * ({@code GOMP_SPINCOUNT}; {@code KDS_ENGINE_OMP_SPIN} in compose). libgomp's default is 300,000 spins (100 where it
 * manages more threads than the process has CPUs). When PyTorch's intra-op threads take every core, a worker that
 * spins through the gaps between ops keeps its core from the Kafka clients and codecs that feed it, so the service
 * waits for its own input; a worker that sleeps at once pays a wake-up on every op. On a 2-core machine 10,000 spins
 * let the teacher service annotate about 5% more images per second than the default, the raw forward and the
 * student unchanged (docs/PERFORMANCE.md has the measurement). {@code auto} (the default) sets 10,000 where the intra-op threads take every core and leaves
 * libgomp's default where cores are left to the data path (see {@link EngineThreads}) or where the environment
 * already sets {@code GOMP_SPINCOUNT} or {@code OMP_WAIT_POLICY}; {@code default} never touches it; a number sets
 * it. libgomp reads the variable once, when PyTorch loads, so this is a process setting taken at start-up.
 */
public final class EngineSpin {
    /** The setting's key. */
    public static final String KEY = io.kdstream.core.config.Keys.ENGINE_OMP_SPIN.name();
    /** libgomp's variable. */
    public static final String VARIABLE = "GOMP_SPINCOUNT";
    /** The spin count {@code auto} sets. */
    public static final long AUTO = 10_000;

    /**
     * What the process was started with: the arguments and environment without the setting, and the spin count set
     * (empty where libgomp's default or the environment's own value applies).
     */
    public record Taken(List<String> args, Map<String, String> env, OptionalLong spin) {
    }

    private EngineSpin() {
    }

    /**
     * Takes {@code --engine.omp-spin=auto|default|N} (or {@code KDS_ENGINE_OMP_SPIN}) out of the arguments and
     * environment and sets {@code GOMP_SPINCOUNT} in this process's environment for libgomp to read when PyTorch
     * loads.
     *
     * @param threads PyTorch's intra-op threads as {@link EngineThreads#take} chose them (0: the user's own)
     * @param cores   the cores of this machine
     * @throws ConfigException when the value is none of those
     */
    public static Taken take(List<String> args, Map<String, String> env, int threads, int cores) {
        return take(args, env, threads, cores, EngineSpin::setenv);
    }

    static Taken take(List<String> args, Map<String, String> env, int threads, int cores,
                      BiConsumer<String, String> setenv) {
        ProcessSetting taken = ProcessSetting.take(KEY, args, env);
        String value = taken.value() == null ? "auto" : taken.value().trim().toLowerCase(Locale.ROOT);
        OptionalLong spin;
        if (value.equals("default")) {
            spin = OptionalLong.empty();
        } else if (value.equals("auto")) {
            boolean userChose = env.get(VARIABLE) != null || env.get("OMP_WAIT_POLICY") != null;
            spin = !userChose && threads > 0 && threads >= cores ? OptionalLong.of(AUTO) : OptionalLong.empty();
        } else {
            long n;
            try {
                n = Long.parseLong(value);
            } catch (NumberFormatException e) {
                n = -1;
            }
            ConfigException.require(n >= 0, KEY, value, "must be auto, default or a spin count >= 0 (how often "
                    + "PyTorch's OpenMP threads spin at a barrier before they sleep; " + VARIABLE + ")");
            spin = OptionalLong.of(n);
        }
        if (spin.isPresent()) {
            setenv.accept(VARIABLE, Long.toString(spin.getAsLong()));
        }
        return new Taken(taken.args(), taken.env(), spin);
    }

    /** Sets a variable in this process's C environment (which libgomp reads). */
    static void setenv(String name, String value) {
        NativeEnv.set(KEY, name, value, "PyTorch's OpenMP threads keep libgomp's default");
    }

    /** For reports: "GOMP_SPINCOUNT=10000" or "libgomp's default spin" (as the process's environment says now). */
    public static String describe() {
        String v = NativeEnv.get(VARIABLE);
        return v == null ? "libgomp's default spin" : VARIABLE + "=" + v;
    }
}
