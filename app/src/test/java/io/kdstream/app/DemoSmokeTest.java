package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** {@code kdstream demo --smoke} end to end on the embedded broker: teacher trained, student distilled. */
class DemoSmokeTest {
    @Test
    void shouldDistilAStudentFarAboveChanceTrainingEveryBatchExactlyOnce(@TempDir Path tmp) {
        Settings s = Settings.of(Map.of()).withDefaults(Demo.smokeDefaults(DemoCommand.testdata(), tmp))
                .withDefaults(Demo.DEFAULTS);
        Demo.Result r = run(s);
        // 400 images over 2 partitions, batches of 32: 7 batches per partition and epoch, 8 epochs
        assertEquals(112, r.produced().size());
        assertEquals(r.produced(), r.trained(), "every produced batch trained, nothing else");
        assertEquals(0, r.duplicates());
        assertEquals(0, r.missing());
        assertTrue(r.studentTop1() > 0.25, "student top-1 " + r.studentTop1() + " must be far above 10% chance");
        assertTrue(r.teacherTop1() > 0.35, "teacher top-1 " + r.teacherTop1());
        assertTrue(r.agreement() > 0.4, "agreement " + r.agreement());
        assertTrue(Files.exists(tmp.resolve("student/model/model.params")), "final student model saved");
        assertTrue(Files.exists(tmp.resolve("teacher/model.properties")), "teacher trained and saved");
    }

    /** Runs a demo with these settings and prints its summary. */
    static Demo.Result run(Settings s) {
        Scheduler ticker = Schedulers.newSingle("test-progress", true);
        Demo.Result r;
        try {
            r = new Demo(s, System.out, ticker, SimpleMeterRegistry::new).run(false);
        } finally {
            ticker.dispose();
        }
        Demo.print(r, System.out);
        return r;
    }
}
