package io.kdstream.loader;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.loader.dataset.DatasetSpec;
import java.util.List;

/**
 * The loader's settings.
 *
 * @param dataset         {@code dataset.*}: what to read
 * @param epochs          {@code pipeline.epochs}: passes over the data; 0 runs forever
 * @param seed            {@code pipeline.seed}: shuffling seed; epoch e uses a permutation derived from (seed, e)
 * @param batchSize       {@code pipeline.batch-size}: the augmenter's batch size, the unit of {@code maxAheadBatches}
 * @param maxAheadBatches {@code loader.max-ahead-batches}: how many batches the loader may run ahead of the slowest
 *                        consumer group it feeds, measured from committed offsets
 * @param feeds           {@code loader.feeds}: consumer groups to wait for; default the augmenter's group
 * @param maxInFlight     {@code loader.max-in-flight}: records sent but not yet acknowledged
 * @param ship            {@code loader.ship}: {@code decoded} pixels (default) or, for image folders, the
 *                        {@code encoded} files as they are, decoded by the augmenter, or a {@code reference} to each
 *                        file, rendered by the teacher and the student (docs/PERFORMANCE.md)
 */
public record LoaderConfig(DatasetSpec dataset, int epochs, long seed, int batchSize, int maxAheadBatches,
                           List<String> feeds, int maxInFlight, Ship ship) {
    /** What a SAMPLE record carries. */
    public enum Ship {
        /** The decoded pixels (HWC uint8). */
        DECODED,
        /** The image file's bytes (PNG or JPEG); the augmenter decodes them. Image folders only. */
        ENCODED,
        /**
         * The file's folder, path and size; the augmenter publishes view records and the teacher and the student
         * decode the file and render the views. Image folders only, read at the same path by every consumer.
         */
        REFERENCE
    }

    /** The loader's settings with decoded pixels on the wire. */
    public LoaderConfig(DatasetSpec dataset, int epochs, long seed, int batchSize, int maxAheadBatches,
                        List<String> feeds, int maxInFlight) {
        this(dataset, epochs, seed, batchSize, maxAheadBatches, feeds, maxInFlight, Ship.DECODED);
    }

    public LoaderConfig {
        ConfigException.require(ship == Ship.DECODED || dataset.kind() == DatasetSpec.Kind.FOLDER, "loader.ship",
                ship.name().toLowerCase(java.util.Locale.ROOT), "names or sends image files and needs dataset.kind=folder (" + dataset.kind().name()
                        .toLowerCase(java.util.Locale.ROOT) + " data has no image files)");
        ConfigException.require(epochs >= 0, "pipeline.epochs", epochs, "must be >= 0 (0 = forever)");
        ConfigException.require(batchSize >= 1 && batchSize <= 65536, "pipeline.batch-size", batchSize,
                "must be 1..65536");
        ConfigException.require(maxAheadBatches >= 1, "loader.max-ahead-batches", maxAheadBatches, "must be >= 1");
        ConfigException.require(maxInFlight >= 1, "loader.max-in-flight", maxInFlight, "must be >= 1");
        feeds = List.copyOf(feeds);
    }

    /** Reads the loader's settings; {@code defaultFeeds} is the augmenter's group under the configured prefix. */
    public static LoaderConfig from(Settings s, List<String> defaultFeeds) {
        return new LoaderConfig(DatasetSpec.from(s), s.integer(Keys.PIPELINE_EPOCHS), s.longValue(Keys.PIPELINE_SEED),
                s.integer(Keys.PIPELINE_BATCH_SIZE), s.integer(Keys.LOADER_MAX_AHEAD_BATCHES),
                s.list(Keys.LOADER_FEEDS, defaultFeeds), s.integer(Keys.LOADER_MAX_IN_FLIGHT),
                s.choice(Keys.LOADER_SHIP, Ship.class));
    }

    /**
     * Records the loader may be ahead. A consumer that batches per partition holds up to one partial batch per
     * partition uncommitted, so the window must exceed that or the pipeline would stall.
     */
    public long maxAheadRecords(int partitions) {
        long window = (long) maxAheadBatches * batchSize;
        ConfigException.require(maxAheadBatches >= 2 * partitions, "loader.max-ahead-batches", maxAheadBatches,
                "must be at least 2 x kafka.partitions (" + 2 * partitions + ") so every partition can fill a batch");
        return window;
    }
}
