package io.kdstream.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.wire.View;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in teacher of {@code bench scale}: a fixed time per batch, zero logits, loaded like any model. */
class StandInTeacherTest {
    @Test
    void shouldTakeItsLatencyPerBatchAndLoadFromItsDirectory(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("stand-in");
        StandInTeacher.write(dir, 60, 7);
        TeacherConfig c = new TeacherConfig(dir, TeacherConfig.Format.AUTO, "stand-in", "", null, false, false, "cpu",
                tmp);
        try (TeacherModel t = TeacherModel.load(c)) {
            assertEquals(7, t.logits().classes());
            View v = new View(3, 4, 4, 1, new float[3 * 16]);
            long t0 = System.nanoTime();
            float[] logits = t.logits().logits(v);
            double ms = (System.nanoTime() - t0) / 1e6;
            assertTrue(ms >= 60 && ms < 1000, "one batch took " + ms + " ms");
            assertArrayEquals(new float[3 * 7], logits);
        }
        Files.writeString(dir.resolve(StandInTeacher.FILE), "latency-ms=soon\n");
        ConfigException e = assertThrows(ConfigException.class, () -> TeacherModel.load(c));
        assertTrue(e.getMessage().contains(StandInTeacher.FILE), e.getMessage());
    }
}
