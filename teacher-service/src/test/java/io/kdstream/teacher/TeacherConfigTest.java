package io.kdstream.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model paths stay inside teacher.model-root, at start-up and in live swaps. */
class TeacherConfigTest {
    @Test
    void shouldResolveSwapTargetsInsideTheModelRootOnly(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("models"));
        Files.createDirectories(root.resolve("v1"));
        Files.createDirectories(root.resolve("v2"));
        Path outside = Files.createDirectories(tmp.resolve("secret"));
        Files.createSymbolicLink(root.resolve("sneaky"), outside);
        TeacherConfig c = TeacherConfig.from(Settings.of(Map.of("teacher.model", root.resolve("v1").toString())));
        assertEquals(root.toAbsolutePath(), c.modelRoot(), "default root: the directory holding teacher.model");

        TeacherConfig swapped = c.forSwap("v2", "", "7");
        assertEquals(root.resolve("v2"), swapped.model());
        assertEquals("v2", swapped.id());
        assertEquals("7", swapped.version());
        assertEquals(root.resolve("v2"), c.forSwap(root.resolve("v2").toString(), "", "").model(), "absolute inside");

        for (String bad : new String[] {"../secret", outside.toString(), "v1/../../secret", "sneaky", "/etc/passwd"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> c.forSwap(bad, "", ""), bad);
            assertTrue(e.getMessage().contains("outside the model root"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAStartUpModelOutsideAnExplicitRoot(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("models"));
        Path model = Files.createDirectories(tmp.resolve("elsewhere/t"));
        ConfigException e = assertThrows(ConfigException.class, () -> TeacherConfig.from(Settings.of(Map.of(
                "teacher.model", model.toString(), "teacher.model-root", root.toString()))));
        assertTrue(e.getMessage().contains("teacher.model") && e.getMessage().contains("KDS_TEACHER_MODEL_ROOT"),
                e.getMessage());
    }

    @Test
    void shouldRequireALongTokenWhenTheAdminEndpointIsOn() {
        ConfigException e = assertThrows(ConfigException.class, () -> TeacherAdmin.Config.from(Settings.of(Map.of(
                "admin.port", "9500"))));
        assertTrue(e.getMessage().contains("admin.token"), e.getMessage());
        assertThrows(ConfigException.class, () -> TeacherAdmin.Config.from(Settings.of(Map.of("admin.port", "9500",
                "admin.token", "short"))));
        TeacherAdmin.Config ok = TeacherAdmin.Config.from(Settings.of(Map.of("admin.port", "9500", "admin.token",
                "0123456789abcdef")));
        assertTrue(ok.enabled());
        assertTrue(!ok.toString().contains("0123456789abcdef"), "the token never shows in logs: " + ok);
        assertTrue(!TeacherAdmin.Config.from(Settings.of(Map.of())).enabled(), "off by default");
    }
}
