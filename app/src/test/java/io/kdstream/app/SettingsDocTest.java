package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.Catalogue;
import io.kdstream.core.config.Key;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/SETTINGS.md is what the settings catalogue writes, and every key is in it. */
class SettingsDocTest {
    @Test
    void shouldMatchTheCatalogue() throws IOException {
        Path doc = Path.of(System.getProperty("kdstream.home", "..")).resolve("docs/SETTINGS.md");
        String expected = SettingsCommand.markdown();
        for (Key k : Catalogue.all()) {
            assertTrue(expected.contains("| `" + k.name() + "` |"), k.name());
        }
        assertEquals(expected, Files.readString(doc), "docs/SETTINGS.md is stale: run ./kdstream settings > "
                + "docs/SETTINGS.md");
    }
}
