package io.kdstream.tuning;

import ai.djl.util.cuda.CudaUtils;
import com.sun.jna.LastErrorException;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.ProcessSetting;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code engine.data-path-priority}: the Linux scheduling policy of every thread of the process that is not PyTorch
 * compute. On CPU, PyTorch's intra-op threads meet at a barrier after every parallel op, so a Kafka client, codec,
 * broker or JIT thread that preempts one of them stalls the whole op, and a pass runs slower than the CPU time the
 * data path took (on 2 cores the teacher service gets markedly closer to its raw forward pass with {@code auto} than
 * with {@code normal}: docs/PERFORMANCE.md has the measurement).
 * With {@code idle} those threads run under {@code SCHED_IDLE}: they get a core only when no normal thread wants it,
 * and a waking PyTorch thread preempts them at once, so the data path fills the gaps between and inside passes
 * instead of stealing from them. Nothing starves for long: when the data path falls behind, the compute threads
 * wait for input, which frees the cores (OpenMP workers that spin at a barrier keep theirs, hence
 * {@link EngineSpin}).
 *
 * <p>Compute threads are the ones {@link DjlThreads} makes (named {@value #COMPUTE_PREFIX}...) and the OpenMP
 * workers they start, which inherit the name. The JVM's own safepoint and GC threads and the main thread stay at
 * normal priority (a stalled collection would stop every Java thread); everything else, the JIT compilers included,
 * is moved. {@code auto} (the default) does so once the process runs compute threads, unless CUDA sees a GPU (the
 * GPU case is not measured yet);
 * {@code idle} does so always (a data-only service that should yield to a trainer on the same host); {@code normal}
 * leaves every thread alone. A keeper thread looks for new threads every 200 ms; a thread cannot return from
 * {@code SCHED_IDLE} without privileges, which the keeper never needs. Other platforms: a no-op with a warning.
 */
public final class DataPathPriority implements AutoCloseable {
    /** The setting's key. */
    public static final String KEY = io.kdstream.core.config.Keys.ENGINE_DATA_PATH_PRIORITY.name();
    /** How compute threads are named; the OpenMP workers a compute thread starts inherit its name. */
    public static final String COMPUTE_PREFIX = "kds-djl-";
    static final int SCHED_OTHER = 0;
    static final int SCHED_IDLE = 5;
    private static final Logger LOG = LoggerFactory.getLogger(DataPathPriority.class);
    /** JVM threads kept at normal priority: the launcher's main thread, safepoints, GC, signals, references. */
    private static final List<String> JVM_KEPT = List.of("java", "VM Thread", "GC Thread", "G1 ", "VM Periodic",
            "Signal Dispatch", "Reference Handl", "Finalizer", "Common-Cleaner", "Service Thread");

    /** The setting's values. */
    public enum Mode {
        /** idle once the process runs compute threads, unless CUDA sees a GPU */
        AUTO,
        /** idle always */
        IDLE,
        /** leave every thread alone */
        NORMAL
    }

    /** The arguments and environment without the setting, and the mode it chose. */
    public record Taken(List<String> args, Map<String, String> env, Mode mode) {
    }

    private final Mode mode;
    private final Predicate<String> scope;
    private final Duration every;
    private final Map<Integer, Kind> kinds = new HashMap<>(); // threads classified, by kernel thread id
    private final Map<Integer, String> names = new HashMap<>(); // the name a thread not yet classified had last scan
    private final Thread keeper;
    private volatile boolean closed;
    private volatile int idled;
    private boolean computeSeen;
    private boolean announced;

    private DataPathPriority(Mode mode, Duration every, Predicate<String> scope) {
        this.mode = mode;
        this.every = every;
        this.scope = scope;
        this.keeper = mode == Mode.NORMAL ? null : new Thread(this::keep, "kds-priority");
    }

    /**
     * Takes {@code --engine.data-path-priority=auto|idle|normal} (or {@code KDS_ENGINE_DATA_PATH_PRIORITY}) out of
     * the arguments and environment.
     *
     * @throws ConfigException when the value is none of those
     */
    public static Taken take(List<String> args, Map<String, String> env) {
        ProcessSetting taken = ProcessSetting.take(KEY, args, env);
        String value = taken.value() == null ? "auto" : taken.value().trim();
        Mode mode = switch (value.toLowerCase(Locale.ROOT)) {
            case "auto" -> Mode.AUTO;
            case "idle" -> Mode.IDLE;
            case "normal" -> Mode.NORMAL;
            default -> null;
        };
        ConfigException.require(mode != null, KEY, value, "must be auto, idle or normal (the scheduling policy of "
                + "the threads that are not PyTorch compute)");
        return new Taken(taken.args(), taken.env(), mode);
    }

    /** Starts keeping every thread of the process as {@code mode} says (a no-op for {@link Mode#NORMAL}). */
    public static DataPathPriority start(Mode mode) {
        return start(mode, Duration.ofMillis(200), comm -> true);
    }

    /** As {@link #start(Mode)}, looking only at threads whose name {@code scope} accepts (tests). */
    static DataPathPriority start(Mode mode, Duration every, Predicate<String> scope) {
        DataPathPriority p = new DataPathPriority(mode, every, scope);
        if (p.keeper != null) {
            if (!supported()) {
                if (mode == Mode.IDLE) {
                    LOG.warn("{}=idle needs Linux (/proc/self/task and sched_setscheduler); threads keep their "
                            + "priority", KEY);
                }
                return new DataPathPriority(Mode.NORMAL, every, scope);
            }
            if (mode == Mode.AUTO && gpuCount() > 0) {
                LOG.info("{}=auto: a GPU is visible, so every thread keeps normal priority", KEY);
                return new DataPathPriority(Mode.NORMAL, every, scope);
            }
            p.keeper.setDaemon(true);
            p.keeper.start();
        }
        return p;
    }

    /** A keeper that does not run by itself: the caller drives {@link #scan} (tests). */
    static DataPathPriority unstarted(Mode mode, Predicate<String> scope) {
        return new DataPathPriority(mode, Duration.ofMillis(200), scope);
    }

    /** Whether this platform lets the process set its threads' scheduling policy. */
    static boolean supported() {
        if (!Files.isDirectory(ProcTask.TASKS)) {
            return false;
        }
        try {
            return LibC.INSTANCE != null;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** How many threads this keeper has moved to {@code SCHED_IDLE} so far. */
    public int idled() {
        return idled;
    }

    private void keep() {
        try {
            while (!closed) {
                if (!scan()) {
                    return;
                }
                Thread.sleep(every.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("{}: stopped keeping thread priorities: {}", KEY, e.toString());
        }
    }

    /** What a thread is to the keeper. */
    private enum Kind { COMPUTE, KEPT, OUT_OF_SCOPE, CANDIDATE, MOVED }

    /**
     * One look at the process's threads; false when there is nothing more to do. A thread is classified by its name
     * only once two scans read the same name: a new thread carries its parent's name until the JVM names it, and a
     * compute thread started from a data-path thread must not be taken for one.
     */
    boolean scan() {
        Set<Integer> present = new HashSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(ProcTask.TASKS)) {
            for (Path task : tasks) {
                int tid = Integer.parseInt(task.getFileName().toString());
                present.add(tid);
                if (kinds.containsKey(tid)) {
                    continue;
                }
                String comm = comm(tid);
                String before = comm == null ? null : names.put(tid, comm);
                if (comm == null || !comm.equals(before)) {
                    continue; // gone, new, or renamed since the last scan: look again next time
                }
                Kind kind = !scope.test(comm) ? Kind.OUT_OF_SCOPE : comm.startsWith(COMPUTE_PREFIX) ? Kind.COMPUTE
                        : JVM_KEPT.stream().anyMatch(comm::startsWith) ? Kind.KEPT : Kind.CANDIDATE;
                kinds.put(tid, kind);
                names.remove(tid);
                computeSeen |= kind == Kind.COMPUTE;
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot list {}: {}", KEY, ProcTask.TASKS, e.toString());
            return false;
        }
        kinds.keySet().retainAll(present); // a thread id can be reused once its thread is gone
        names.keySet().retainAll(present);
        if (mode == Mode.AUTO && !computeSeen) {
            return true;
        }
        if (!announced) {
            announced = true;
            LOG.info("{}={}: threads other than PyTorch's own ({}*) run under SCHED_IDLE from now on", KEY,
                    mode.name().toLowerCase(Locale.ROOT), COMPUTE_PREFIX);
        }
        for (Map.Entry<Integer, Kind> e : kinds.entrySet()) {
            if (e.getValue() != Kind.CANDIDATE) {
                continue;
            }
            try {
                LibC.INSTANCE.sched_setscheduler(e.getKey(), SCHED_IDLE, new int[] {0});
                idled++;
            } catch (LastErrorException ex) {
                if (ex.getErrorCode() != 3) { // ESRCH: the thread ended meanwhile
                    LOG.warn("{}: cannot move thread {} to SCHED_IDLE (errno {}); threads keep their priority",
                            KEY, e.getKey(), ex.getErrorCode());
                    return false;
                }
            }
            e.setValue(Kind.MOVED);
        }
        return true;
    }

    /** CUDA's GPU count (DJL's probe of the CUDA runtime; 0 without one). Asked before any engine loads. */
    private static int gpuCount() {
        try {
            return CudaUtils.getGpuCount();
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    /** A thread's name as the kernel keeps it (at most 15 characters), or null when it is gone. */
    static String comm(int tid) {
        return ProcTask.comm(tid);
    }

    /** A thread's scheduling policy ({@code SCHED_OTHER} 0, {@code SCHED_IDLE} 5), or -1 when it is gone. */
    static int policy(int tid) {
        String stat = ProcTask.stat(tid);
        try {
            return stat == null ? -1 : (int) ProcTask.field(stat, 41);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The calling thread's kernel thread id (Linux). */
    static int currentTid() throws IOException {
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /**
     * The process's threads by scheduling policy, for reports: e.g. "3 PyTorch, 52 under SCHED_IDLE, 14 normal",
     * or "unknown" off Linux.
     */
    public static String census() {
        int compute = 0;
        int idle = 0;
        int normal = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(ProcTask.TASKS)) {
            for (Path task : tasks) {
                int tid = Integer.parseInt(task.getFileName().toString());
                String comm = comm(tid);
                int policy = policy(tid);
                if (comm == null || policy < 0) {
                    continue;
                }
                if (comm.startsWith(COMPUTE_PREFIX)) {
                    compute++;
                } else if (policy == SCHED_IDLE) {
                    idle++;
                } else {
                    normal++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return compute + " PyTorch, " + idle + " under SCHED_IDLE, " + normal + " normal";
    }

    @Override
    public void close() {
        closed = true;
        if (keeper != null) {
            keeper.interrupt();
        }
    }
}
