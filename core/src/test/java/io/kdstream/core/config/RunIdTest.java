package io.kdstream.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunIdTest {
    @Test
    void shouldNameTopicsAndGroupsAfterTheRun() {
        KafkaSettings k = KafkaSettings.from(Settings.of(Map.of(), Map.of("KDS_PIPELINE_RUN", "run-20261130-1200")));
        assertEquals("kds.run-20261130-1200.augmented", k.topic(Topic.AUGMENTED));
        assertEquals("kds.run-20261130-1200.control", k.topic(Topic.CONTROL));
        assertEquals("kds.run-20261130-1200.teacher", k.group("teacher"));
    }

    @Test
    void shouldKeepTheOldNamesWithoutARun() {
        KafkaSettings k = KafkaSettings.from(Settings.of(Map.of("kafka.topic-prefix", "x.")));
        assertEquals("x.augmented", k.topic(Topic.AUGMENTED));
        assertEquals(Optional.empty(), RunId.from(Settings.of(Map.of("pipeline.run", " "))));
    }

    @Test
    void shouldReadTheIdFromAFileNamedWithAnAt(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("id");
        Files.writeString(f, "run-7\n");
        assertEquals(Optional.of("run-7"), RunId.from(Settings.of(Map.of("pipeline.run", "@" + f))));
        ConfigException missing = assertThrows(ConfigException.class, () -> RunId.from(Settings.of(Map.of(
                "pipeline.run", "@" + tmp.resolve("absent")))));
        assertTrue(missing.getMessage().contains("run-init"), missing.getMessage());
    }

    @Test
    void shouldRefuseIdsThatCannotNameATopic() {
        for (String bad : new String[] {"a/b", "-x", "has space", "x".repeat(65)}) {
            ConfigException e = assertThrows(ConfigException.class, () -> RunId.from(Settings.of(Map.of(
                    "pipeline.run", bad))), bad);
            assertTrue(e.getMessage().contains("KDS_PIPELINE_RUN"), e.getMessage());
        }
    }
}
