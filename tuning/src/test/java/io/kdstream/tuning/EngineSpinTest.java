package io.kdstream.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class EngineSpinTest {
    private final Map<String, String> set = new HashMap<>();

    private EngineSpin.Taken take(List<String> args, Map<String, String> env, int threads, int cores) {
        return EngineSpin.take(args, env, threads, cores, set::put);
    }

    @Test
    void shouldShortenTheSpinWhenPyTorchTakesEveryCore() {
        EngineSpin.Taken t = take(List.of("x"), Map.of(), 2, 2);
        assertEquals(OptionalLong.of(EngineSpin.AUTO), t.spin());
        assertEquals(Map.of("GOMP_SPINCOUNT", "10000"), set);
    }

    @Test
    void shouldLeaveLibgompAloneWhenCoresAreLeftOrTheUserChose() {
        assertEquals(OptionalLong.empty(), take(List.of(), Map.of(), 8, 16).spin(), "half the cores are free");
        assertEquals(OptionalLong.empty(), take(List.of(), Map.of(), 0, 2).spin(), "OMP_NUM_THREADS decided");
        assertEquals(OptionalLong.empty(), take(List.of(), Map.of("GOMP_SPINCOUNT", "5"), 2, 2).spin(),
                "the user's own GOMP_SPINCOUNT");
        assertEquals(OptionalLong.empty(), take(List.of(), Map.of("OMP_WAIT_POLICY", "PASSIVE"), 2, 2).spin());
        assertEquals(OptionalLong.empty(), take(List.of("--engine.omp-spin=default"), Map.of(), 2, 2).spin());
        assertEquals(Map.of(), set, "nothing was set");
    }

    @Test
    void shouldTakeTheFlagOrTheVariableOffAndSetAnExplicitCount() {
        EngineSpin.Taken t = take(List.of("--pipeline.epochs=2", "--engine.omp-spin=2500"),
                Map.of("KDS_ENGINE_OMP_SPIN", "7", "KDS_PIPELINE_EPOCHS", "1"), 8, 16);
        assertEquals(OptionalLong.of(2500), t.spin(), "the flag wins over the variable, and applies on any machine");
        assertEquals(List.of("--pipeline.epochs=2"), t.args());
        assertEquals(Map.of("KDS_PIPELINE_EPOCHS", "1"), t.env());
        assertEquals("2500", set.get("GOMP_SPINCOUNT"));
        assertEquals(OptionalLong.of(7), take(List.of(), Map.of("KDS_ENGINE_OMP_SPIN", "7"), 8, 16).spin());
    }

    @Test
    void shouldRejectAnythingElseNamingTheSetting() {
        for (String bad : List.of("fast", "-1", "1.5")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> take(List.of("--engine.omp-spin=" + bad), Map.of(), 2, 2));
            assertTrue(e.getMessage().contains("engine.omp-spin") && e.getMessage().contains("auto, default"),
                    e.getMessage());
        }
    }

    @Test
    void shouldSetTheVariableInTheProcessEnvironmentThatLibgompReads() {
        String name = "KDS_TEST_SPIN_" + ProcessHandle.current().pid();
        assertNull(NativeEnv.get(name));
        EngineSpin.setenv(name, "1234");
        assertEquals("1234", NativeEnv.get(name), "libc's getenv sees it, as libgomp's will");
    }
}
