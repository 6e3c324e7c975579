package io.kdstream.core.wire;

import io.kdstream.core.image.ImageDecodeException;
import io.kdstream.core.image.ImageDecoder;

/**
 * A SAMPLE record that carries the image file's bytes instead of its pixels ({@code loader.ship=encoded}): the same
 * frame with tensor {@code encoded} (uint8 [N], the PNG or JPEG file) in place of {@code image}, and properties
 * {@code channels} (decode to 1 or 3) and {@code max_side} (larger images are refused). A 400x350 JPEG of 62 KB
 * travels as 62 KB rather than 420 KB of pixels; the augmenter decodes it ({@link #decode}) into the {@link Sample} the
 * loader would have sent, byte for byte.
 *
 * @param bytes    the file
 * @param channels 1 or 3
 * @param maxSide  the largest side accepted
 */
public record EncodedSample(long sampleId, int epoch, int partition, int indexInEpoch, long position, int label,
                            int numClasses, long loadedAtMs, String source, byte[] bytes, int channels, int maxSide) {
    /** The name of the tensor that holds the file. */
    public static final String TENSOR = "encoded";

    /** Whether a SAMPLE frame carries a file ({@code encoded}) rather than pixels. */
    public static boolean isEncoded(Frame f) {
        return f.kind() == RecordKind.SAMPLE && f.optionalTensor(TENSOR) != null;
    }

    /** The Kafka record key, as {@link Sample#key()}. */
    public String key() {
        return "s" + sampleId;
    }

    /** Converts to the generic frame. */
    public Frame toFrame() {
        return Frame.builder(RecordKind.SAMPLE).epoch(epoch).partition(partition).id(sampleId).createdAtMs(loadedAtMs)
                .property("index", indexInEpoch).property("position", position).property("label", label)
                .property("num_classes", numClasses).property("source", source).property("channels", channels)
                .property("max_side", maxSide)
                .tensor(Tensor.ofBytes(TENSOR, new int[] {bytes.length}, bytes))
                .build();
    }

    /** Reads an encoded SAMPLE frame. */
    public static EncodedSample fromFrame(Frame f) {
        f.requireKind(RecordKind.SAMPLE);
        Tensor t = f.tensor(TENSOR);
        if (t.dtype() != DType.UINT8 || t.rank() != 1) {
            throw new WireFormatException("SAMPLE " + f.id() + ": tensor '" + TENSOR + "' must be uint8 [N], got " + t);
        }
        int channels = (int) f.longProperty("channels");
        if (channels != 1 && channels != 3) {
            throw new WireFormatException("SAMPLE " + f.id() + ": property channels must be 1 or 3, got " + channels);
        }
        return new EncodedSample(f.id(), f.epoch(), f.partition(), (int) f.longProperty("index"),
                f.longProperty("position"), (int) f.longProperty("label"), (int) f.longProperty("num_classes"),
                f.createdAtMs(), f.stringProperty("source", ""), t.toBytes(), channels,
                (int) f.longProperty("max_side"));
    }

    /** Encodes to record-value bytes. */
    public byte[] encode() {
        return FrameCodec.encode(toFrame());
    }

    /**
     * The decoded sample, as the loader would have sent it.
     *
     * @throws ImageDecodeException when the bytes are not a decodable image of at most {@code maxSide}
     */
    public Sample decode() throws ImageDecodeException {
        return new Sample(sampleId, epoch, partition, indexInEpoch, position, label, numClasses, loadedAtMs, source,
                new ImageDecoder(channels, maxSide).decode(bytes));
    }
}
