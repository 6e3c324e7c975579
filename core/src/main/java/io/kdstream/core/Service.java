package io.kdstream.core;

import reactor.core.publisher.Mono;

/**
 * One pipeline stage: a single class that reads one topic and writes the next. {@link #start()} returns at once;
 * {@link #completion()} completes when a bounded job (a finite number of epochs) is done, or errors when the
 * service failed; {@link #stop()} stops it, commits what was acknowledged and releases every resource.
 */
public interface Service extends AutoCloseable {
    /** The stage name (loader, augmenter, teacher, student): the one its progress is shown under. */
    default String name() {
        return progress().stage();
    }

    /** Starts the service in the background. */
    void start();

    /** Completes when the service finished its bounded work; never completes for an unbounded run. */
    Mono<Void> completion();

    /** Live counters for progress lines and summaries. */
    Progress progress();

    /** Stops the service and waits for its clean-up; idempotent. */
    void stop();

    @Override
    default void close() {
        stop();
    }
}
