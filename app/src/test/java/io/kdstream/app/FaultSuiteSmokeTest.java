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

    /**
     * A short soak: {@code pipeline.epochs=0} for 40 s with a teacher replica SIGKILLed and replaced every 15 s and
     * the broker restarted at 20 s, then drained and audited from the student's journal.
     */
    @Test
    void shouldLoseNothingInASoak(@TempDir Path tmp) throws Exception {
        Console.Result r = Console.run(() -> Kdstream.run(new String[] {"faults", "--faults.soak=40s",
                "--faults.soak-kill-every=15s", "--faults.soak-sample-every=30s", "--faults.dir=" + tmp,
                "--dataset.path=" + DemoCommand.testdata().resolve("fashion-mnist-mini"), "--dataset.limit=400",
                "--dataset.test-limit=100", "--pipeline.batch-size=32"}, Map.of()));
        assertEquals(0, r.code(), r.out() + r.err());
        String report = Files.readString(tmp.resolve("soak.md"));
        assertTrue(report.matches("(?s).* [1-9]\\d* teacher replica\\(s\\) SIGKILLed and replaced, broker restarted: "
                + "once.*"), report);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Audit: (\\d+) batches produced, (\\d+) trained, "
                + "0 lost, 0 trained twice").matcher(report);
        assertTrue(m.find(), report);
        assertTrue(Long.parseLong(m.group(1)) > 42 && m.group(1).equals(m.group(2)),
                "more than one epoch produced, all trained: " + report);
    }
}
