package io.kdstream.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The bench's per-pass CPU attribution, from /proc. */
class ThreadCpuTest {
    @Test
    void shouldReadUserPlusSystemTicksEvenWhenTheNameHoldsSpacesAndParentheses() {
        String stat = "4242 (C2 Compiler) x) S 1 4242 4242 0 -1 4194368 1183 0 0 0 173 29 0 0 20 0 1 0 1234 0 0";
        assertEquals(173 + 29, ThreadCpu.ticks(stat));
        assertEquals(-1, ThreadCpu.ticks(null), "a thread that is gone");
    }

    @Test
    void shouldTellComputeAndJitThreadsByTheirKernelNames() {
        assertTrue(ThreadCpu.isCompute("kds-djl-teacher"));
        assertTrue(ThreadCpu.isJit("C2 CompilerThre"));
        assertTrue(ThreadCpu.isJit("C1 CompilerThre"));
        assertFalse(ThreadCpu.isJit("kds-consumer-re"));
        assertFalse(ThreadCpu.isCompute("data-plane-kafk"));
    }

    @Test
    void shouldAttributeABusyComputeThreadAndABusyOtherThreadToTheirKinds() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        ThreadCpu.Snapshot before = ThreadCpu.now();
        Thread compute = new Thread(() -> spin(1500), "kds-djl-cputest");
        Thread other = new Thread(() -> spin(500), "kds-cputest-other"); // ends before the second snapshot
        compute.start();
        other.start();
        other.join();
        ThreadCpu.Snapshot after = ThreadCpu.now(); // the compute thread is still alive
        compute.join();
        ThreadCpu.Cores c = ThreadCpu.between(before, after);
        // each spun through the ~0.5 s between the snapshots (2 cores); allow a busy machine half of that
        assertTrue(c.compute() > 0.3 && c.compute() < 1.2, c.toString());
        assertTrue(c.rest() > 0.3, c + ": a thread that ended still counts, in the rest");
        assertTrue(c.jit() >= 0 && c.jit() < 1, c.toString());
    }

    private static void spin(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = 0;
        while (System.nanoTime() < end) {
            x += x * 31 + 7;
        }
        if (x == 42) {
            System.out.println(x);
        }
    }
}
