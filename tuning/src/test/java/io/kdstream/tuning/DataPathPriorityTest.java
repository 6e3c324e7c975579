package io.kdstream.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kdstream.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * Real threads, real scheduling policies read back from /proc. Each test's keeper looks only at threads named for
 * that test, so the surefire JVM's other threads keep their priority.
 */
class DataPathPriorityTest {

    @Test
    void shouldTakeTheSettingOffTheCommandLine() {
        DataPathPriority.Taken t = DataPathPriority.take(List.of("--engine.data-path-priority=normal", "x"),
                Map.of("KDS_ENGINE_DATA_PATH_PRIORITY", "idle", "KDS_PIPELINE_EPOCHS", "1"));
        assertEquals(DataPathPriority.Mode.NORMAL, t.mode(), "the flag wins over the variable");
        assertEquals(List.of("x"), t.args());
        assertEquals(Map.of("KDS_PIPELINE_EPOCHS", "1"), t.env());
        assertEquals(DataPathPriority.Mode.AUTO, DataPathPriority.take(List.of(), Map.of()).mode());
        assertEquals(DataPathPriority.Mode.IDLE,
                DataPathPriority.take(List.of(), Map.of("KDS_ENGINE_DATA_PATH_PRIORITY", "IDLE")).mode());
        ConfigException e = assertThrows(ConfigException.class,
                () -> DataPathPriority.take(List.of("--engine.data-path-priority=low"), Map.of()));
        assertTrue(e.getMessage().contains("engine.data-path-priority=low"), e.getMessage());
        assertTrue(e.getMessage().contains("auto, idle or normal"), e.getMessage());
    }

    @Test
    void idleShouldMoveDataPathThreadsAndSparePyTorchAndItsOpenMpWorkers() throws Exception {
        assumeTrue(DataPathPriority.supported(), "needs Linux");
        try (Parked io = new Parked("kdstest-io");
             Parked compute = new Parked(DataPathPriority.COMPUTE_PREFIX + "kdstest");
             DataPathPriority keeper = DataPathPriority.start(DataPathPriority.Mode.IDLE, Duration.ofMillis(20),
                     comm -> comm.contains("kdstest"))) {
            // a parallel op on the compute thread: PyTorch's OpenMP workers start there and inherit its name
            compute.run(() -> {
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray x = m.randomUniform(0f, 1f, new ai.djl.ndarray.types.Shape(4096, 1024));
                    x.exp().sum().getFloat();
                }
            });
            awaitPolicy(io.tid, p -> p == DataPathPriority.SCHED_IDLE);
            Thread.sleep(100); // a few more scans
            List<Integer> workers = threadsNamed(DataPathPriority.COMPUTE_PREFIX + "kdstest");
            assertTrue(workers.contains(compute.tid), workers.toString());
            if (EngineThreads.inUse() > 1) {
                assertTrue(workers.size() >= 2, "OpenMP workers named as their compute thread: " + workers);
            }
            for (int tid : workers) {
                assertEquals(DataPathPriority.SCHED_OTHER, DataPathPriority.policy(tid), "compute thread " + tid);
            }
            assertTrue(keeper.idled() >= 1);
        }
    }

    @Test
    void autoShouldWaitForComputeThreadsAndThenIdleOnlyWithoutAGpu() throws Exception {
        assumeTrue(DataPathPriority.supported(), "needs Linux");
        try (Parked io = new Parked("kdsauto-io");
             DataPathPriority keeper = DataPathPriority.start(DataPathPriority.Mode.AUTO, Duration.ofMillis(20),
                     comm -> comm.contains("kdsauto"))) {
            Thread.sleep(200);
            assertEquals(DataPathPriority.SCHED_OTHER, DataPathPriority.policy(io.tid),
                    "no compute thread yet: a data-only process is left alone");
            try (Parked compute = new Parked(DataPathPriority.COMPUTE_PREFIX + "kdsauto")) {
                boolean gpu = ai.djl.util.cuda.CudaUtils.getGpuCount() > 0;
                if (gpu) {
                    Thread.sleep(300);
                    assertEquals(DataPathPriority.SCHED_OTHER, DataPathPriority.policy(io.tid), "GPU: left alone");
                } else {
                    awaitPolicy(io.tid, p -> p == DataPathPriority.SCHED_IDLE);
                }
                assertEquals(DataPathPriority.SCHED_OTHER, DataPathPriority.policy(compute.tid));
            }
        }
    }

    @Test
    void shouldClassifyAThreadOnlyOnceItsNameHoldsForTwoScans() throws Exception {
        assumeTrue(DataPathPriority.supported(), "needs Linux");
        // a new thread carries its parent's name until the JVM names it: here a compute thread first seen under a
        // data-path name, renamed before the next scan, must stay normal; a data-path thread is moved
        try (Parked renamed = new Parked("kdsrace-io");
             Parked io = new Parked("kdsrace-io2")) {
            DataPathPriority keeper = DataPathPriority.unstarted(DataPathPriority.Mode.IDLE,
                    comm -> comm.startsWith("kdsrace") || comm.endsWith("kdsrace"));
            assertTrue(keeper.scan());
            assertEquals(0, keeper.idled(), "first sight: nothing decided yet");
            renamed.run(() -> Thread.currentThread().setName(DataPathPriority.COMPUTE_PREFIX + "kdsrace"));
            assertEquals(DataPathPriority.COMPUTE_PREFIX + "kdsrace", DataPathPriority.comm(renamed.tid));
            assertTrue(keeper.scan());
            assertEquals(DataPathPriority.SCHED_IDLE, DataPathPriority.policy(io.tid), "same name twice: moved");
            assertTrue(keeper.scan());
            assertEquals(DataPathPriority.SCHED_OTHER, DataPathPriority.policy(renamed.tid),
                    "the renamed compute thread is never taken for its first name");
            assertEquals(1, keeper.idled());
        }
    }

    @Test
    void normalShouldTouchNothing() throws Exception {
        try (Parked io = new Parked("kdsnormal-io");
             DataPathPriority keeper = DataPathPriority.start(DataPathPriority.Mode.NORMAL, Duration.ofMillis(20),
                     comm -> comm.contains("kdsnormal"))) {
            Thread.sleep(200);
            assertEquals(0, keeper.idled());
            assertFalse(DataPathPriority.policy(io.tid) == DataPathPriority.SCHED_IDLE);
        }
    }

    private static void awaitPolicy(int tid, IntPredicate ok) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ok.test(DataPathPriority.policy(tid))) {
            assertTrue(System.nanoTime() < deadline, "thread " + tid + " still has policy "
                    + DataPathPriority.policy(tid));
            Thread.sleep(10);
        }
    }

    private static List<Integer> threadsNamed(String comm) throws IOException {
        List<Integer> out = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                int tid = Integer.parseInt(t.getFileName().toString());
                if (comm.equals(DataPathPriority.comm(tid))) {
                    out.add(tid);
                }
            }
        }
        return out;
    }

    /** A named thread that waits for work until closed; its kernel thread id is known once constructed. */
    private static final class Parked implements AutoCloseable {
        private final java.util.concurrent.LinkedBlockingQueue<Runnable> work =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final CountDownLatch stop = new CountDownLatch(1);
        private final Thread thread;
        private final int tid;

        Parked(String name) throws Exception {
            CompletableFuture<Integer> id = new CompletableFuture<>();
            thread = new Thread(() -> {
                try {
                    id.complete(DataPathPriority.currentTid());
                    while (stop.getCount() > 0) {
                        Runnable r = work.poll(10, TimeUnit.MILLISECONDS);
                        if (r != null) {
                            r.run();
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    id.completeExceptionally(e);
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
            tid = id.get(10, TimeUnit.SECONDS);
        }

        void run(Runnable r) throws Exception {
            CompletableFuture<Void> done = new CompletableFuture<>();
            work.add(() -> {
                try {
                    r.run();
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
            done.get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            stop.countDown();
            thread.join(5000);
        }
    }
}
