package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.Settings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The teacher at a higher resolution than the student, from the same crop: a 56 px teacher trained on the spot,
 * then a 28 px student distilled from it through the whole pipeline (teacher view 56 px, student view 28 px), both
 * views travelling as uint8 ({@code augment.view-encoding=uint8}: a quarter of the float32 bytes).
 */
class MultiResolutionSmokeTest {
    @Test
    void shouldDistilA28PixelStudentFromA56PixelTeacher(@TempDir Path tmp) {
        Settings s = Settings.of(Map.of("view.teacher-size", "56", "view.student-size", "28",
                        "demo.teacher-epochs", "10", "pipeline.epochs", "4", "augment.view-encoding", "uint8"))
                .withDefaults(Demo.smokeDefaults(DemoCommand.testdata(), tmp)).withDefaults(Demo.DEFAULTS);
        Demo.Result r = DemoSmokeTest.run(s);
        assertTrue(r.teacher().contains(" 56px "), r.teacher());
        assertTrue(r.student().contains(" 28px "), r.student());
        assertEquals(r.produced(), r.trained());
        assertTrue(r.teacherTop1() > 0.25, "the 56 px teacher learned: " + r.teacherTop1());
        assertTrue(r.studentTop1() > 0.18, "the 28 px student learned from it: " + r.studentTop1());
    }
}
