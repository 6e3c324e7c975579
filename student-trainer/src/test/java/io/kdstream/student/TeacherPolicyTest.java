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

    @Test
    void shouldWeighEnsembleMembersAsComputedByHand() {
        TeacherPolicy p = TeacherPolicy.from(Settings.of(Map.of("student.teacher-weights", "a=3, b=1, other=5")));
        // member a: logits (0, ln 3) -> p = (1/4, 3/4); member b: (ln 4, 0) -> (4/5, 1/5); weights 3 : 1 over a, b
        float[] each = {0, (float) Math.log(3), (float) Math.log(4), 0};
        float[] z = p.weigh(java.util.List.of("a", "b"), each, 1, 2, 1f);
        assertEquals(Math.log(0.75 * 0.25 + 0.25 * 0.8), z[0], 1e-6);
        assertEquals(Math.log(0.75 * 0.75 + 0.25 * 0.2), z[1], 1e-6);
        // at T = 2 the members are softened first and the result is T log(mixture), so softmax(z / T) is the mixture
        float[] z2 = p.weigh(java.util.List.of("a", "b"), each, 1, 2, 2f);
        double pa0 = 1 / (1 + Math.sqrt(3));
        double pb0 = 2.0 / 3;
        assertEquals(2 * Math.log(0.75 * pa0 + 0.25 * pb0), z2[0], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> TeacherPolicy.from(Settings.of(Map.of(
                "student.teacher-weights", "c=1"))).weigh(java.util.List.of("a", "b"), each, 1, 2, 1f));
        assertThrows(ConfigException.class, () -> TeacherPolicy.from(Settings.of(Map.of("student.teacher-weights",
                "a"))));
    }
}
