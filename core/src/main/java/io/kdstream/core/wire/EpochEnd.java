package io.kdstream.core.wire;

/**
 * Marks the end of an epoch on one partition (record kind EPOCH_END). Each stage forwards it after everything it
 * emitted for that (epoch, partition), so a consumer knows an epoch is complete when it has seen one marker per
 * source partition, and can check its counts against them.
 *
 * @param epoch      the epoch that ended
 * @param partition  the source partition
 * @param partitions how many source partitions the epoch spans (markers to expect)
 * @param stage      the stage that wrote the marker: loader, augmenter, teacher
 * @param samples    samples published on this partition in this epoch
 * @param batches    batches published on this partition in this epoch (0 from the loader)
 * @param last       true on the last epoch of a bounded run: consumers may finish after it
 * @param createdAtMs wall-clock milliseconds when the marker was written
 */
public record EpochEnd(int epoch, int partition, int partitions, String stage, long samples, long batches,
                       boolean last, long createdAtMs) {

    /** The Kafka record key: {@code end-e<epoch>-p<partition>}. */
    public String key() {
        return "end-e" + epoch + "-p" + partition;
    }

    /** The same marker re-stamped by a downstream stage with its own counts. */
    public EpochEnd forward(String newStage, long newBatches, long now) {
        return new EpochEnd(epoch, partition, partitions, newStage, samples, newBatches, last, now);
    }

    /** Converts to the generic frame. */
    public Frame toFrame() {
        return Frame.builder(RecordKind.EPOCH_END).epoch(epoch).partition(partition).id(0).createdAtMs(createdAtMs)
                .property("partitions", partitions).property("stage", stage).property("samples", samples)
                .property("batches", batches).property("last", last ? 1L : 0L).build();
    }

    /** Reads an EPOCH_END frame. */
    public static EpochEnd fromFrame(Frame f) {
        f.requireKind(RecordKind.EPOCH_END);
        return new EpochEnd(f.epoch(), f.partition(), (int) f.longProperty("partitions"), f.stringProperty("stage"),
                f.longProperty("samples"), f.longProperty("batches"), f.longProperty("last") != 0, f.createdAtMs());
    }

    /** Encodes to record-value bytes. */
    public byte[] encode() {
        return FrameCodec.encode(toFrame());
    }
}
