package io.kdstream.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EngineThreadsTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.clearProperty(EngineThreads.DJL_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(EngineThreads.DJL_PROPERTY);
        } else {
            System.setProperty(EngineThreads.DJL_PROPERTY, saved);
        }
    }

    @Test
    void shouldUseEveryCoreOnSmallMachinesAndHalfOnLargeOnes() {
        assertEquals(1, EngineThreads.auto(1));
        assertEquals(2, EngineThreads.auto(2));
        assertEquals(4, EngineThreads.auto(4));
        assertEquals(4, EngineThreads.auto(5));
        assertEquals(4, EngineThreads.auto(8));
        assertEquals(6, EngineThreads.auto(12));
        assertEquals(8, EngineThreads.auto(16));
        assertEquals(32, EngineThreads.auto(64));
    }

    @Test
    void shouldTakeTheFlagOffTheCommandLineAndSetDjlsProperty() {
        EngineThreads.Taken t = EngineThreads.take(List.of("--pipeline.epochs=2", "--engine.threads=3", "x"),
                Map.of("KDS_ENGINE_THREADS", "5", "KDS_PIPELINE_EPOCHS", "1"), 16);
        assertEquals(3, t.threads(), "the flag wins over the variable");
        assertEquals(List.of("--pipeline.epochs=2", "x"), t.args());
        assertEquals(Map.of("KDS_PIPELINE_EPOCHS", "1"), t.env(), "the variable is taken too");
        assertEquals("3", System.getProperty(EngineThreads.DJL_PROPERTY));
    }

    @Test
    void shouldDefaultToAutoAndReadTheVariable() {
        assertEquals(8, EngineThreads.take(List.of(), Map.of(), 16).threads());
        assertEquals("8", System.getProperty(EngineThreads.DJL_PROPERTY));
        assertEquals(7, EngineThreads.take(List.of(), Map.of("KDS_ENGINE_THREADS", "7"), 16).threads());
    }

    @Test
    void shouldLeaveAnExplicitOpenMpChoiceAloneUnderAuto() {
        EngineThreads.Taken t = EngineThreads.take(List.of(), Map.of("OMP_NUM_THREADS", "4"), 16);
        assertEquals(0, t.threads());
        assertNull(System.getProperty(EngineThreads.DJL_PROPERTY));
    }

    @Test
    void shouldNameTheSettingWhenTheValueIsBad() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> EngineThreads.take(List.of("--engine.threads=many"), Map.of(), 16));
        assertTrue(e.getMessage().contains("engine.threads=many"), e.getMessage());
        assertTrue(e.getMessage().contains("KDS_ENGINE_THREADS"), e.getMessage());
        assertThrows(ConfigException.class, () -> EngineThreads.take(List.of("--engine.threads=0"), Map.of(), 16));
    }
}
