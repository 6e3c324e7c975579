package io.kdstream.app;

import io.kdstream.core.Progress;
import io.kdstream.core.Service;
import io.kdstream.core.cli.ProgressPrinter;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/** Runs a set of pipeline services in this process, as the one-machine commands do. */
public final class LocalRun {
    private LocalRun() {
    }

    /**
     * Starts the services downstream first (so no stage waits for a consumer that is not there yet), shows a
     * progress line per service, waits until every one has completed (the first failure fails the run), prints the
     * summary and stops them all.
     *
     * @param services in pipeline order, loader first
     * @param ticker   the scheduler that redraws the progress lines
     */
    public static void run(List<? extends Service> services, Scheduler ticker) {
        run(services, ticker, () -> { });
    }

    /**
     * As {@link #run(List, Scheduler)}, calling {@code whenCompleted} once every service has completed, before any
     * is stopped (the bench reads its threads' CPU times there, while they are all still alive).
     */
    public static void run(List<? extends Service> services, Scheduler ticker, Runnable whenCompleted) {
        List<Progress> progress = services.stream().map(Service::progress).toList();
        try (ProgressPrinter printer = ProgressPrinter.forConsole(ticker, progress)) {
            for (int i = services.size() - 1; i >= 0; i--) {
                services.get(i).start();
            }
            printer.start();
            Flux.merge(services.stream().map(Service::completion).toList()).then().block();
            whenCompleted.run();
        } finally {
            services.forEach(Service::stop);
        }
    }
}
