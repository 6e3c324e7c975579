package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TeacherPolicyTest {
    @Test
    void shouldExpectEveryTeacherByDefault() {
        TeacherPolicy p = TeacherPolicy.from(Settings.of(Map.of()));
        assertTrue(p.expects("anything", "42"));
        assertEquals(TeacherPolicy.Action.DEAD_LETTER, p.action());
    }

    @Test
    void shouldMatchIdsAndIdVersionPairs() {
        TeacherPolicy p = TeacherPolicy.from(Settings.of(Map.of("student.expect-teachers", "resnet, cnn@2",
                "student.unexpected-teacher", "fail")));
        assertTrue(p.expects("resnet", "1"));
        assertTrue(p.expects("resnet", "9"));
        assertTrue(p.expects("cnn", "2"));
        assertFalse(p.expects("cnn", "1"));
        assertFalse(p.expects("other", "2"));
        assertEquals(TeacherPolicy.Action.FAIL, p.action());
    }

    @Test
    void shouldRejectMalformedEntriesAndActions() {
        assertThrows(ConfigException.class, () -> TeacherPolicy.from(Settings.of(Map.of("student.expect-teachers",
                "cnn@"))));
        ConfigException e = assertThrows(ConfigException.class, () -> TeacherPolicy.from(Settings.of(Map.of(
                "student.unexpected-teacher", "ignore"))));
        assertTrue(e.getMessage().contains("dead-letter"), e.getMessage());
    }
}
