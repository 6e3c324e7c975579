package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGKILL in CI: {@code kdstream faults --faults.only=student-sigkill-mid-epoch} on the shipped 400-image
 * subset runs broker, loader, augmenter, teacher and student as JVMs of their own, SIGKILLs the student inside an
 * epoch and restarts it: 0 batches lost, 0 trained twice, at most one checkpoint interval of work done again.
 */
class FaultSuiteSmokeTest {
    @Test
    void shouldRecoverFromAStudentKilledInsideAnEpoch(@TempDir Path tmp) throws Exception {
        Console.Result r = Console.run(() -> Kdstream.run(new String[] {"faults",
                "--faults.only=student-sigkill-mid-epoch", "--faults.dir=" + tmp,
                "--dataset.path=" + DemoCommand.testdata().resolve("fashion-mnist-mini"), "--dataset.limit=400",
                "--dataset.test-limit=100", "--pipeline.epochs=3", "--pipeline.batch-size=32"}, Map.of()));
        String table = Files.readString(tmp.resolve("faults.md"));
        assertEquals(0, r.code(), r.out() + r.err());
        // 400 images, 2 partitions, batches of 32: 14 batches an epoch, 42 in all
        assertTrue(table.contains("| student-sigkill-mid-epoch | after ") && table.contains("| 42 | 42 | 0 | 0 |")
                && table.contains("recovered"), table);
        assertTrue(table.contains("checkpoint every 3 steps"), table);
    }
}
