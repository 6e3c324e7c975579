package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kdstream demo --smoke --teacher.model=FILE.pt}: a TorchScript teacher is used wherever a teacher is
 * accepted (the teacher service and the student's evaluation), named in the log; a teacher path the user gave that
 * holds nothing stops the demo with a message instead of training a teacher there.
 */
class DemoTorchScriptSmokeTest {
    private static final Path FIXTURE = Path.of(System.getProperty("kdstream.home", ".."))
            .resolve("teacher-service/src/test/resources/torchscript/tiny_cnn.pt");

    @Test
    void shouldDistilFromATorchScriptFile(@TempDir Path tmp) {
        Console.Result r = Console.run(() -> Kdstream.run(new String[] {"demo", "--smoke", "--pipeline.epochs=2",
                "--teacher.model=" + FIXTURE, "--teacher.mean=0", "--teacher.std=1",
                "--student.out=" + tmp.resolve("student")}, Map.of()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("demo: distilling from the TorchScript teacher tiny_cnn.pt"), r.out());
        assertTrue(r.out().contains("| teacher | TorchScript tiny_cnn.pt 28px 10 classes"), r.out());
        assertFalse(r.out().contains("training one"), "no teacher trained: " + r.out());
        assertTrue(Files.exists(tmp.resolve("student/model/model.params")), "the student distilled and saved");
    }

    @Test
    void shouldRefuseAMissingTeacherTheUserNamedInsteadOfTrainingOne(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-teacher-here");
        Console.Result r = Console.run(() -> Kdstream.run(new String[] {"demo", "--smoke",
                "--teacher.model=" + missing}, Map.of()));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("teacher.model=" + missing) && r.err().contains("train-teacher"), r.err());
        assertFalse(Files.exists(missing), "nothing trained there");
    }
}
