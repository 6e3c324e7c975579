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
        Settings s = Settings.parse(List.of("--a.b=1", "--c-d=2", "--flag", "pos"),
                Map.of("KDS_A_B", "9", "KDS_E_F", "3", "PATH", "/bin"), positional);
        assertEquals(1, s.integer("a.b", 0));
        assertEquals(2, s.integer("c-d", 0));
        assertTrue(s.bool("flag", false));
        assertEquals(3, s.integer("e.f", 0));
        assertEquals(7, s.integer("g", 7));
        assertEquals(List.of("pos"), positional);
        s.requireAllUsed();
    }

    @Test
    void shouldRejectAnUnknownFlagWithASuggestion() {
        Settings s = Settings.of(Map.of("pipeline.epoch", "3"), Map.of());
        s.integer("pipeline.epochs", 1);
        List<String> warnings = new ArrayList<>();
        ConfigException e = assertThrows(ConfigException.class, () -> s.requireAllUsed(warnings::add));
        assertTrue(e.getMessage().contains("--pipeline.epoch (did you mean --pipeline.epochs?)"), e.getMessage());
    }

    @Test
    void shouldWarnAboutAnUnreadVariableNamingItWithoutRefusingToStart() {
        // the container images' case: a compose service sets variables that another command of the image does not read
        Settings s = Settings.of(Map.of("device", "cpu"), Map.of("KDS_METRICS_PORT", "9400", "KDS_PIPELINE_SEEDS",
                "1", "HOME", "/root"));
        s.string("device", "auto");
        s.longValue("pipeline.seed", 1);
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
        assertEquals(7, s.longValue("pipeline.seed", 1));
        List<String> warnings = new ArrayList<>();
        s.requireAllUsed(warnings::add);
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldNameTheSettingInParseAndRangeErrors() {
        Settings s = Settings.of(Map.of("n", "many", "color", "green", "kafka.partitions", "0"));
        assertTrue(assertThrows(ConfigException.class, () -> s.integer("n", 1)).getMessage().contains("KDS_N"));
        assertTrue(assertThrows(ConfigException.class, () -> s.choice("color", Color.class, Color.RED)).getMessage()
                .contains("[red, dark-blue]"));
        assertEquals(Color.DARK_BLUE, Settings.of(Map.of("c", "dark-blue")).choice("c", Color.class, Color.RED));
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
        Settings s = Settings.of(Map.of("x", "flag"), Map.of("KDS_Y", "env"))
                .withDefaults(Map.of("x", "preset", "y", "preset", "z", "preset"));
        assertEquals("flag", s.string("x", "none"));
        assertEquals("env", s.string("y", "none"));
        assertEquals("preset", s.string("z", "none"));
    }

    @Test
    void shouldLayerFlagsOverVariablesOverPresetOverDefaults() {
        Settings s = Preset.apply(Settings.of(Map.of("preset", "usi", "student.lr", "1e-3"),
                Map.of("KDS_STUDENT_KD_WEIGHT", "2"))).withDefaults(Map.of("student.lr", "9", "student.ce-weight", "7",
                "other.service.key", "x"));
        assertEquals("1e-3", s.string("student.lr", "none"), "flag over preset and default");
        assertEquals("2", s.string("student.kd-weight", "none"), "variable over preset");
        assertEquals("1", s.string("student.ce-weight", "none"), "preset over default");
        assertEquals("switch", s.string("augment.mix", "none"));
        s.requireAllUsed(); // preset and default keys this service never read are not errors
    }

    @Test
    void shouldNameTheKnownPresetsForAnUnknownOne() {
        ConfigException e = assertThrows(ConfigException.class, () -> Preset.apply(Settings.of(Map.of("preset",
                "fast"))));
        assertTrue(e.getMessage().contains("[supervised, usi, funmatch, bag-of-tricks, dlb]"), e.getMessage());
    }
}
