package io.kdstream.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.kafka.KafkaSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    enum Color { RED, DARK_BLUE }

    @Test
    void shouldLetFlagsWinOverEnvironmentAndEnvironmentOverDefaults() {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(List.of("--pipeline.epochs=1", "--augmenter.max-ahead-batches=2", "--augment.dlb",
                        "pos"), Map.of("KDS_PIPELINE_EPOCHS", "9", "KDS_DATASET_LIMIT", "3", "PATH", "/bin"), positional);
        assertEquals(1, s.integer(Keys.PIPELINE_EPOCHS));
        assertEquals(2, s.integer(Keys.AUGMENTER_MAX_AHEAD_BATCHES));
        assertTrue(s.bool(Keys.AUGMENT_DLB));
        assertEquals(3, s.integer(Keys.DATASET_LIMIT));
        assertEquals(128, s.integer(Keys.PIPELINE_BATCH_SIZE), "the catalogue's default");
        assertEquals(7, s.integer(Keys.AUGMENTER_THREADS, 7), "a default the reader computes");
        assertEquals(List.of("pos"), positional);
        s.requireAllUsed();
    }

    @Test
    void shouldRejectAnUnknownFlagWithASuggestion() {
        Settings s = Settings.of(Map.of("pipeline.epoch", "3"), Map.of());
        s.integer(Keys.PIPELINE_EPOCHS);
        List<String> warnings = new ArrayList<>();
        ConfigException e = assertThrows(ConfigException.class, () -> s.requireAllUsed(warnings::add));
        assertTrue(e.getMessage().contains("--pipeline.epoch (did you mean --pipeline.epochs?)"), e.getMessage());
    }

    @Test
    void shouldWarnAboutAnUnreadVariableNamingItWithoutRefusingToStart() {
        // the container images' case: a compose service sets variables that another command of the image does not read
        Settings s = Settings.of(Map.of("device", "cpu"), Map.of("KDS_METRICS_PORT", "9400", "KDS_PIPELINE_SEEDS",
                "1", "HOME", "/root"));
        s.string(Keys.DEVICE);
        s.longValue(Keys.PIPELINE_SEED);
        List<String> warnings = new ArrayList<>();
        s.requireAllUsed(warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        assertTrue(w.contains("KDS_METRICS_PORT") && w.contains("KDS_PIPELINE_SEEDS (did you mean --pipeline.seed?)"),
                w);
        assertTrue(!w.contains("HOME"), w);
        assertEquals(List.of("KDS_METRICS_PORT", "KDS_PIPELINE_SEEDS (did you mean --pipeline.seed?)"),
                s.unreadEnvironment());
    }

    @Test
    void shouldNotWarnWhenEveryVariableWasRead() {
        Settings s = Settings.of(Map.of(), Map.of("KDS_PIPELINE_SEED", "7"));
        assertEquals(7, s.longValue(Keys.PIPELINE_SEED));
        List<String> warnings = new ArrayList<>();
        s.requireAllUsed(warnings::add);
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldNameTheSettingInParseAndRangeErrors() {
        Settings s = Settings.of(Map.of("dataset.limit", "many", "augment.mix", "green", "kafka.partitions", "0"));
        assertTrue(assertThrows(ConfigException.class, () -> s.integer(Keys.DATASET_LIMIT)).getMessage()
                .contains("KDS_DATASET_LIMIT"));
        assertTrue(assertThrows(ConfigException.class, () -> s.choice(Keys.AUGMENT_MIX, Color.class)).getMessage()
                .contains("[red, dark-blue]"));
        assertEquals(Color.DARK_BLUE, Settings.of(Map.of("augment.mix", "dark-blue")).choice(Keys.AUGMENT_MIX,
                Color.class));
        ConfigException e = assertThrows(ConfigException.class, () -> KafkaSettings.from(s));
        assertTrue(e.getMessage().contains("kafka.partitions=0") && e.getMessage().contains("KDS_KAFKA_PARTITIONS"),
                e.getMessage());
    }

    @Test
    void shouldPassKafkaClientPropertiesThroughFromFlagsAndEnvironment() {
        Settings s = Settings.of(Map.of("kafka.client.security.protocol", "SSL"),
                Map.of("KDS_KAFKA_CLIENT_SASL_MECHANISM", "PLAIN"));
        KafkaSettings k = KafkaSettings.from(s);
        s.requireAllUsed();
        assertEquals("SSL", k.producer("p").get("security.protocol"));
        assertEquals("PLAIN", k.consumer("g", "c").get("sasl.mechanism"));
        assertEquals("SSL", k.admin("a").get("security.protocol"));
    }

    @Test
    void shouldApplyPresetDefaultsUnderFlagsAndVariables() {
        Settings s = Settings.of(Map.of("student.lr", "flag"), Map.of("KDS_STUDENT_CE_WEIGHT", "env"))
                .withDefaults(Map.of("student.lr", "preset", "student.ce-weight", "preset", "student.kd-weight",
                        "preset"));
        assertEquals("flag", s.string(Keys.STUDENT_LR));
        assertEquals("env", s.string(Keys.STUDENT_CE_WEIGHT));
        assertEquals("preset", s.string(Keys.STUDENT_KD_WEIGHT, "none"));
    }

    @Test
    void shouldLayerFlagsOverVariablesOverPresetOverDefaults() {
        Settings s = Preset.apply(Settings.of(Map.of("preset", "usi", "student.lr", "1e-3"),
                Map.of("KDS_STUDENT_KD_WEIGHT", "2"))).withDefaults(Map.of("student.lr", "9", "student.ce-weight", "7",
                "dataset.limit", "5"));
        assertEquals("1e-3", s.string(Keys.STUDENT_LR), "flag over preset and default");
        assertEquals("2", s.string(Keys.STUDENT_KD_WEIGHT, "none"), "variable over preset");
        assertEquals("1", s.string(Keys.STUDENT_CE_WEIGHT), "preset over default");
        assertEquals("switch", s.string(Keys.AUGMENT_MIX));
        s.requireAllUsed(); // preset and default keys this service never read are not errors
    }

    @Test
    void shouldNameTheKnownPresetsForAnUnknownOne() {
        ConfigException e = assertThrows(ConfigException.class, () -> Preset.apply(Settings.of(Map.of("preset",
                "fast"))));
        assertTrue(e.getMessage().contains("[supervised, usi, funmatch, bag-of-tricks, dlb]"), e.getMessage());
    }

    @Test
    void shouldRefuseDefaultsAndOverridesForKeysTheCatalogueDoesNotDeclare() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Settings.of(Map.of()).withDefaults(Map.of("student.temprature", "2")));
        assertTrue(e.getMessage().contains("student.temprature") && e.getMessage().contains("catalogue"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> Settings.of(Map.of()).overriding(Map.of("no.such", "1")));
    }

    @Test
    void shouldRequireTheReaderToComputeADefaultTheCatalogueDoesNotGive() {
        assertThrows(IllegalStateException.class, () -> Settings.of(Map.of()).integer(Keys.AUGMENTER_THREADS));
        assertEquals(3, Settings.of(Map.of("augmenter.threads", "3")).integer(Keys.AUGMENTER_THREADS, 1));
    }
}
