package io.kdstream.tuning;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one thread a service runs its DJL work on. PyTorch's autograd switch is per thread and on by default for new
 * threads (DJL turns it off only on the thread that loads the engine): left on, inference records graphs it never
 * uses and in-place optimizer updates of parameters fail. This scheduler's thread turns it off before any work;
 * gradient collectors turn it on only inside a training step.
 *
 * <p>The thread is named {@value DataPathPriority#COMPUTE_PREFIX}{@code <service>}: {@link DataPathPriority} keeps
 * threads of that name (and the OpenMP workers they start, which inherit it) at normal priority.
 */
public final class DjlThreads {
    private DjlThreads() {
    }

    /** A single-thread scheduler with autograd off, for one service's DJL work ({@code service}: e.g. "teacher"). */
    public static Scheduler newScheduler(String service) {
        Scheduler s = Schedulers.newSingle(DataPathPriority.COMPUTE_PREFIX + service, true);
        Mono.fromRunnable(() -> {
            Engine.getEngine(EngineThreads.ENGINE);
            JniUtils.setGradMode(false);
        }).subscribeOn(s).block();
        return s;
    }
}
