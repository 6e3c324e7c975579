package io.kdstream.core.wire;

/**
 * One decoded image as the loader publishes it (record kind SAMPLE).
 *
 * @param sampleId     stable id: the image's index in its dataset, the same in every epoch
 * @param epoch        0-based epoch
 * @param partition    the partition the loader wrote it to
 * @param indexInEpoch position in this epoch's shuffled order
 * @param position     position among this epoch's samples on its partition (0, 1, 2, ...); the augmenter puts
 *                     position k into batch k / batchSize, so batch ids do not depend on restarts
 * @param label        class index, or -1 for unlabeled data
 * @param numClasses   number of classes of the dataset
 * @param loadedAtMs   wall-clock milliseconds when the loader read it (for end-to-end latency)
 * @param source       the dataset and file it came from, for error messages
 * @param image        the pixels
 */
public record Sample(long sampleId, int epoch, int partition, int indexInEpoch, long position, int label, int numClasses,
                     long loadedAtMs, String source, ImageU8 image) {

    /** The Kafka record key: {@code s<sampleId>}. */
    public String key() {
        return "s" + sampleId;
    }

    /** Converts to the generic frame. */
    public Frame toFrame() {
        return Frame.builder(RecordKind.SAMPLE).epoch(epoch).partition(partition).id(sampleId).createdAtMs(loadedAtMs)
                .property("index", indexInEpoch).property("position", position).property("label", label).property("num_classes", numClasses)
                .property("source", source)
                .tensor(Tensor.wrap("image", DType.UINT8, new int[] {image.height(), image.width(), image.channels()},
                        java.nio.ByteBuffer.wrap(image.pixels())))
                .build();
    }

    /** Reads a SAMPLE frame. */
    public static Sample fromFrame(Frame f) {
        f.requireKind(RecordKind.SAMPLE);
        Tensor img = f.tensor("image");
        if (img.dtype() != DType.UINT8 || img.rank() != 3) {
            throw new WireFormatException("SAMPLE " + f.id() + ": tensor 'image' must be uint8 [H,W,C], got " + img);
        }
        return new Sample(f.id(), f.epoch(), f.partition(), (int) f.longProperty("index"), f.longProperty("position"),
                (int) f.longProperty("label"), (int) f.longProperty("num_classes"), f.createdAtMs(),
                f.stringProperty("source", ""), new ImageU8(img.dim(0), img.dim(1), img.dim(2), img.toBytes()));
    }

    /** Encodes to record-value bytes. */
    public byte[] encode() {
        return FrameCodec.encode(toFrame());
    }

    /** Decodes record-value bytes. */
    public static Sample decode(byte[] bytes) {
        return fromFrame(FrameCodec.decode(bytes));
    }
}
