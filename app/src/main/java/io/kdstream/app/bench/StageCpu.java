package io.kdstream.app.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time of a pass, split by stage: every live Java thread's CPU clock is sampled every 100 ms (so a thread that
 * ends during the pass still counts up to its last sample) and charged to the first stage whose name its thread name
 * contains (a stage's own threads, Kafka clients and consumer loops all carry the stage's name); threads of no stage
 * (the embedded broker, the bench) are "broker and the rest", and what the process used beyond its Java threads
 * (garbage collection, the JIT compilers) is "GC and JIT".
 */
final class StageCpu implements AutoCloseable {
    /** The bucket of threads that belong to no stage. */
    static final String REST = "broker and the rest";
    /** The process's CPU beyond its Java threads. */
    static final String GC = "GC and JIT";

    private final List<String> stages;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final long processStart;
    private final Thread sampler;
    private volatile boolean running = true;

    /** Starts sampling; {@code stages} are the names to look for in thread names, in order. */
    StageCpu(List<String> stages) {
        this.stages = List.copyOf(stages);
        processStart = processCpuNanos();
        sample(true);
        sampler = new Thread(() -> {
            while (running) {
                sample(false);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "kds-bench-cpu");
        sampler.setDaemon(true);
        sampler.start();
    }

    private synchronized void sample(boolean first) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            if (first) {
                start.put(info.getThreadId(), cpu);
            } else {
                start.putIfAbsent(info.getThreadId(), 0L); // born during the pass
            }
            last.put(info.getThreadId(), cpu);
            names.put(info.getThreadId(), info.getThreadName());
        }
    }

    /** Stops sampling: milliseconds of CPU per image, by stage, then {@link #REST} and {@link #GC}. */
    synchronized Map<String, Double> msPerImage(long images) {
        running = false;
        sampler.interrupt();
        sample(false);
        long process = processCpuNanos() - processStart;
        Map<String, Double> out = new LinkedHashMap<>();
        stages.forEach(s -> out.put(s, 0.0));
        out.put(REST, 0.0);
        long threadsTotal = 0;
        for (Map.Entry<Long, Long> e : last.entrySet()) {
            long used = Math.max(0, e.getValue() - start.getOrDefault(e.getKey(), 0L));
            threadsTotal += used;
            String name = names.get(e.getKey());
            String stage = stages.stream().filter(name::contains).findFirst().orElse(REST);
            out.merge(stage, used / 1e6 / images, Double::sum);
        }
        out.put(GC, Math.max(0, process - threadsTotal) / 1e6 / images);
        return out;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
