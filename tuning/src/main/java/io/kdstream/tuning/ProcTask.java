package io.kdstream.tuning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads this process's threads from Linux's {@code /proc/self/task}: their names and {@code stat} fields. */
public final class ProcTask {
    /** Where the process's threads are listed, one directory per kernel thread id. */
    public static final Path TASKS = Path.of("/proc/self/task");
    private static final Path PROCESS_STAT = Path.of("/proc/self/stat");

    private ProcTask() {
    }

    /** A thread's name as the kernel keeps it (at most 15 characters), or null when it is gone. */
    public static String comm(int tid) {
        try {
            return Files.readString(TASKS.resolve(Integer.toString(tid)).resolve("comm")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** A thread's {@code stat} line, or null when it is gone. */
    public static String stat(int tid) {
        return readOrNull(TASKS.resolve(Integer.toString(tid)).resolve("stat"));
    }

    /** The whole process's {@code stat} line (its times include the threads that have ended), or null off Linux. */
    public static String processStat() {
        return readOrNull(PROCESS_STAT);
    }

    private static String readOrNull(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Field {@code n} of a {@code stat} line, numbered as in proc(5) (from 1; n >= 3). The name in parentheses, field
     * 2, may hold spaces and parentheses, so the fields are counted from the last closing parenthesis.
     */
    public static long field(String stat, int n) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[n - 3]);
    }
}
