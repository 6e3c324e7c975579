package io.kdstream.tuning;



import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where this process's CPU time went during a pass, from {@code /proc/self/task} (Linux): PyTorch compute (the DJL
 * threads and the OpenMP workers that inherit their name), the JIT compilers, and everything else (Kafka clients,
 * codecs, the embedded broker, GC), in cores (CPU seconds per second of the pass). The bench prints it per pass, so
 * a gap between a service and its raw loop can be attributed instead of guessed. Elsewhere every share reads 0.
 *
 * <p>Threads that end during the pass count in "everything else": the rest is the process's total minus the live
 * compute and JIT threads' own time.
 */
public final class ThreadCpu {
    /** The kernel's clock ticks per second for {@code /proc} times (USER_HZ, 100 on every Linux we run on). */
    private static final double TICKS = 100;

    /** A point in time: the process's CPU ticks, and each compute and JIT thread's. */
    public record Snapshot(long nanos, long processTicks, Map<Integer, Long> compute, Map<Integer, Long> jit) {
    }

    /** Cores used during a pass, by kind. */
    public record Cores(double compute, double jit, double rest) {
    }

    private ThreadCpu() {
    }

    /** Reads the process's and its threads' CPU times now. */
    public static Snapshot now() {
        Map<Integer, Long> compute = new HashMap<>();
        Map<Integer, Long> jit = new HashMap<>();
        long process = ticks(ProcTask.processStat());
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(ProcTask.TASKS)) {
            for (Path task : tasks) {
                int tid = Integer.parseInt(task.getFileName().toString());
                String comm = ProcTask.comm(tid);
                long t = ticks(ProcTask.stat(tid));
                if (comm == null || t < 0) {
                    continue; // ended while we looked
                }
                if (isCompute(comm)) {
                    compute.put(tid, t);
                } else if (isJit(comm)) {
                    jit.put(tid, t);
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Snapshot(System.nanoTime(), -1, Map.of(), Map.of());
        }
        return new Snapshot(System.nanoTime(), process, compute, jit);
    }

    /** The cores each kind used from {@code before} to {@code after}; zeros without /proc or without a window. */
    public static Cores between(Snapshot before, Snapshot after) {
        if (before == null || after == null) {
            return new Cores(0, 0, 0); // a pass without a first item: no window
        }
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        if (before.processTicks() < 0 || after.processTicks() < 0 || seconds <= 0) {
            return new Cores(0, 0, 0);
        }
        long compute = delta(before.compute(), after.compute());
        long jit = delta(before.jit(), after.jit());
        long rest = Math.max(0, after.processTicks() - before.processTicks() - compute - jit);
        return new Cores(compute / TICKS / seconds, jit / TICKS / seconds, rest / TICKS / seconds);
    }

    /** Compute threads: DJL's, and the OpenMP workers that inherit their name. */
    static boolean isCompute(String comm) {
        return comm.startsWith(DataPathPriority.COMPUTE_PREFIX);
    }

    /** HotSpot's compiler threads ("C1 CompilerThre", "C2 CompilerThre" as the kernel shortens them). */
    static boolean isJit(String comm) {
        return comm.matches("C[12] CompilerThre.*");
    }

    /** Ticks of the threads alive at {@code after} since {@code before} (all of them for threads born since). */
    private static long delta(Map<Integer, Long> before, Map<Integer, Long> after) {
        long sum = 0;
        for (Map.Entry<Integer, Long> e : after.entrySet()) {
            sum += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return sum;
    }

    /** utime + stime (fields 14 and 15 of proc(5)) of a {@code stat} line, or -1 without one. */
    static long ticks(String stat) {
        try {
            return stat == null ? -1 : ProcTask.field(stat, 14) + ProcTask.field(stat, 15);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
