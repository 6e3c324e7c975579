package io.kdstream.core.kafka;

import io.kdstream.core.MetricNames;
import io.kdstream.core.Progress;
import io.kdstream.core.RateWindow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The bookkeeping of a stage that relays records (augmenter, teacher): once an {@link Outgoing} is acknowledged by
 * the broker it acknowledges the consumed records, counts images, batches and bytes
 * ({@code kds.stage.*{stage}}), advances the progress line and steady-state rate, and completes the stage after the
 * last epoch's markers; a failure completes it with the error.
 */
public final class RelayLedger {
    private static final Logger LOG = LoggerFactory.getLogger(RelayLedger.class);

    private final String stage;
    private final Progress progress;
    private final Counter images;
    private final Counter batches;
    private final Counter bytes;
    private final RateWindow throughput = new RateWindow();
    private final Sinks.Empty<Void> done = Sinks.empty();

    /**
     * @param stage    the stage name, a tag
     * @param registry where the counters go
     */
    public RelayLedger(String stage, MeterRegistry registry) {
        this.stage = stage;
        this.progress = new Progress(stage, "img");
        images = Counter.builder(MetricNames.STAGE_IMAGES).tag(MetricNames.TAG_STAGE, stage)
                .description("images processed and published").register(registry);
        batches = Counter.builder(MetricNames.STAGE_BATCHES).tag(MetricNames.TAG_STAGE, stage)
                .description("batches published").register(registry);
        bytes = Counter.builder(MetricNames.STAGE_BYTES).tag(MetricNames.TAG_STAGE, stage).baseUnit("bytes")
                .description("record bytes published").register(registry);
    }

    /** Called once the broker acknowledged {@code out}. */
    public void acknowledged(Outgoing out) {
        out.acknowledgeSources();
        if (out.isBatch()) {
            images.increment(out.images());
            batches.increment();
            bytes.increment(out.bytes());
            throughput.record(out.images());
            progress.add(out.images());
        }
        if (out.finishesRun()) {
            LOG.info("{}: last epoch complete on every partition", stage);
            progress.finish();
            done.tryEmitEmpty();
        }
    }

    /** Called when the stage's pipeline failed. */
    public void failed(Throwable t) {
        LOG.error("{} failed: {}", stage, t.toString());
        done.tryEmitError(t);
    }

    /** Completes the stage (on stop). */
    public void stopped() {
        done.tryEmitEmpty();
    }

    public Progress progress() {
        return progress;
    }

    /** Completes after the last epoch, or errors. */
    public Mono<Void> completion() {
        return done.asMono();
    }

    /** Images per second from the end of the first batch to the end of the last. */
    public double rate() {
        return throughput.rate();
    }
}
