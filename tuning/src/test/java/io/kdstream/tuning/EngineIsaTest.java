package io.kdstream.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EngineIsaTest {
    private final Map<String, String> set = new HashMap<>();

    private EngineIsa.Taken take(List<String> args, Map<String, String> env) {
        return EngineIsa.take(args, env, set::put);
    }

    @Test
    void shouldCapOneDnnAtAvx2ByDefault() {
        EngineIsa.Taken t = take(List.of("x"), Map.of());
        assertEquals(Optional.of("AVX2"), t.isa());
        assertEquals(Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"), set);
        assertEquals(List.of("x"), t.args());
    }

    @Test
    void shouldLeaveOneDnnAloneWhenTheUserChose() {
        assertEquals(Optional.empty(), take(List.of(), Map.of("ONEDNN_MAX_CPU_ISA", "AVX512_CORE")).isa());
        assertEquals(Optional.empty(), take(List.of(), Map.of("DNNL_MAX_CPU_ISA", "AVX512_CORE")).isa());
        assertEquals(Optional.empty(), take(List.of("--engine.cpu-isa=default"), Map.of()).isa());
        assertEquals(Map.of(), set, "nothing was set");
    }

    @Test
    void shouldSetAnExplicitIsaAndRefuseAnUnknownOne() {
        EngineIsa.Taken t = take(List.of("--engine.cpu-isa=avx512_core", "--pipeline.epochs=2"),
                Map.of("KDS_ENGINE_CPU_ISA", "SSE41", "ONEDNN_MAX_CPU_ISA", "AVX2"));
        assertEquals(Optional.of("AVX512_CORE"), t.isa(), "the flag wins over the variables");
        assertEquals(List.of("--pipeline.epochs=2"), t.args());
        assertEquals(Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"), t.env());
        assertEquals("AVX512_CORE", set.get("ONEDNN_MAX_CPU_ISA"));
        ConfigException e = assertThrows(ConfigException.class, () -> take(List.of("--engine.cpu-isa=avx3"), Map.of()));
        assertTrue(e.getMessage().contains("engine.cpu-isa") && e.getMessage().contains("AVX2"), e.getMessage());
    }
}
