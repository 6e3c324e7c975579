package io.kdstream.app.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakTest {
    private static Settings of(String... args) {
        return Settings.parse(List.of(args), Map.of(), new ArrayList<>());
    }

    @Test
    void shouldReadDurations() {
        assertEquals(Duration.ofMinutes(60), Soak.duration(of("--faults.soak=60m"), Keys.FAULTS_SOAK));
        assertEquals(Duration.ofSeconds(90), Soak.duration(of("--faults.soak=90s"), Keys.FAULTS_SOAK));
        assertEquals(Duration.ofHours(2), Soak.duration(of("--faults.soak=2h"), Keys.FAULTS_SOAK));
        assertEquals(Duration.ofMinutes(5), Soak.duration(of(), Keys.FAULTS_SOAK_KILL_EVERY), "the catalogue's default");
    }

    @Test
    void shouldRefuseWhatIsNotADuration() {
        for (String bad : List.of("60", "1.5h", "0m", "soon")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Soak.duration(of("--faults.soak=" + bad), Keys.FAULTS_SOAK));
            assertTrue(e.getMessage().contains("faults.soak=" + bad) && e.getMessage().contains("60m"), e.getMessage());
        }
    }
}
