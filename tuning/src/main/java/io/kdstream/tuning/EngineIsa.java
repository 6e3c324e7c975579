package io.kdstream.tuning;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.ProcessSetting;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * {@code engine.cpu-isa}: the newest instruction set oneDNN, PyTorch's CPU convolution library, may use
 * ({@code ONEDNN_MAX_CPU_ISA}). With libtorch 2.7.1 on a CPU with AVX-512, training a CNN whose first stage has 4
 * channels gives NaN gradients in whole channels of that stage at random steps, with a finite loss and the same
 * seed giving NaN at one step in one run and none in the next; capped at AVX2 the same runs give none
 * (docs/PERFORMANCE.md has the probe). {@code auto} (the default) caps oneDNN at AVX2 unless the environment already
 * sets {@code ONEDNN_MAX_CPU_ISA} or {@code DNNL_MAX_CPU_ISA}; {@code default} never touches it (oneDNN uses the
 * newest the CPU has); an ISA name sets it. oneDNN reads the variable once, when PyTorch first runs a convolution,
 * so this is a process setting taken at start-up.
 */
public final class EngineIsa {
    /** The setting's key. */
    public static final String KEY = io.kdstream.core.config.Keys.ENGINE_CPU_ISA.name();
    /** oneDNN's variable. */
    public static final String VARIABLE = "ONEDNN_MAX_CPU_ISA";
    /** The value {@code auto} sets. */
    public static final String AUTO = "AVX2";
    /** The names oneDNN accepts (its documentation's list). */
    static final List<String> NAMES = List.of("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE",
            "AVX512_CORE_VNNI", "AVX512_CORE_BF16", "AVX10_1_512", "AVX512_CORE_FP16", "AVX10_1_512_AMX",
            "AVX512_CORE_AMX", "AVX10_1_512_AMX_FP16", "AVX512_CORE_AMX_FP16", "ALL");

    /**
     * What the process was started with: the arguments and environment without the setting, and the ISA set
     * (empty where oneDNN's default or the environment's own value applies).
     */
    public record Taken(List<String> args, Map<String, String> env, Optional<String> isa) {
    }

    private EngineIsa() {
    }

    /** Takes {@code --engine.cpu-isa=auto|default|NAME} (or {@code KDS_ENGINE_CPU_ISA}) and sets the variable. */
    public static Taken take(List<String> args, Map<String, String> env) {
        return take(args, env, (name, value) -> NativeEnv.set(KEY, name, value,
                "oneDNN uses the newest instruction set the CPU has"));
    }

    static Taken take(List<String> args, Map<String, String> env, BiConsumer<String, String> setenv) {
        ProcessSetting taken = ProcessSetting.take(KEY, args, env);
        String value = taken.value() == null ? "auto" : taken.value().trim();
        Optional<String> isa;
        if (value.equalsIgnoreCase("default")) {
            isa = Optional.empty();
        } else if (value.equalsIgnoreCase("auto")) {
            boolean userChose = env.get(VARIABLE) != null || env.get("DNNL_MAX_CPU_ISA") != null;
            isa = userChose ? Optional.empty() : Optional.of(AUTO);
        } else {
            String name = value.toUpperCase(Locale.ROOT);
            ConfigException.require(NAMES.contains(name), KEY, value, "must be auto, default or one of oneDNN's "
                    + "instruction sets " + NAMES + " (the newest PyTorch's CPU convolutions may use; " + VARIABLE + ")");
            isa = Optional.of(name);
        }
        isa.ifPresent(name -> setenv.accept(VARIABLE, name));
        return new Taken(taken.args(), taken.env(), isa);
    }

    /** For reports: "ONEDNN_MAX_CPU_ISA=AVX2" or "oneDNN's newest ISA" (as the process's environment says now). */
    public static String describe() {
        String v = NativeEnv.get(VARIABLE);
        if (v == null) {
            v = NativeEnv.get("DNNL_MAX_CPU_ISA");
            return v == null ? "oneDNN's newest ISA" : "DNNL_MAX_CPU_ISA=" + v;
        }
        return VARIABLE + "=" + v;
    }
}
