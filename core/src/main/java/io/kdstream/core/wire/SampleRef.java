package io.kdstream.core.wire;

/**
 * A SAMPLE record that names the image file instead of carrying it ({@code loader.ship=reference}): the frame of
 * {@link Sample} with no tensor and properties {@code root} (the dataset folder as the loader reads it), {@code path}
 * (the file, relative to it), {@code height} and {@code width} (read from the file's header, so the augmenter can draw
 * crops), {@code channels} and {@code max_side}. The augmenter turns a batch of these into view records
 * ({@link ViewRecipe}); the teacher and the student decode the file themselves.
 */
public record SampleRef(long sampleId, int epoch, int partition, int indexInEpoch, long position, int label,
                        int numClasses, long loadedAtMs, String root, String path, int height, int width, int channels,
                        int maxSide) {
    public SampleRef {
        if (height < 1 || width < 1) {
            throw new WireFormatException("SAMPLE " + sampleId + ": image size must be positive, got " + height + "x"
                    + width);
        }
        if (channels != 1 && channels != 3) {
            throw new WireFormatException("SAMPLE " + sampleId + ": property channels must be 1 or 3, got "
                    + channels);
        }
        if (path.isEmpty() || path.indexOf('\n') >= 0) {
            throw new WireFormatException("SAMPLE " + sampleId + ": property path must be a non-empty file name "
                    + "without line breaks, got '" + path + "'");
        }
    }

    /** Whether a SAMPLE frame names a file rather than carrying pixels or bytes. */
    public static boolean isReference(Frame f) {
        return f.kind() == RecordKind.SAMPLE && f.stringProperty("path", null) != null;
    }

    /** The Kafka record key, as {@link Sample#key()}. */
    public String key() {
        return "s" + sampleId;
    }

    /** Where the file is, for messages: root/path. */
    public String source() {
        return root + "/" + path;
    }

    /** Converts to the generic frame. */
    public Frame toFrame() {
        return Frame.builder(RecordKind.SAMPLE).epoch(epoch).partition(partition).id(sampleId).createdAtMs(loadedAtMs)
                .property("index", indexInEpoch).property("position", position).property("label", label)
                .property("num_classes", numClasses).property("source", source()).property("root", root)
                .property("path", path).property("height", height).property("width", width)
                .property("channels", channels).property("max_side", maxSide)
                .build();
    }

    /** Reads a reference SAMPLE frame. */
    public static SampleRef fromFrame(Frame f) {
        f.requireKind(RecordKind.SAMPLE);
        return new SampleRef(f.id(), f.epoch(), f.partition(), (int) f.longProperty("index"), f.longProperty("position"),
                (int) f.longProperty("label"), (int) f.longProperty("num_classes"), f.createdAtMs(),
                f.stringProperty("root"), f.stringProperty("path"), (int) f.longProperty("height"),
                (int) f.longProperty("width"), (int) f.longProperty("channels"), (int) f.longProperty("max_side"));
    }

    /** Encodes to record-value bytes. */
    public byte[] encode() {
        return FrameCodec.encode(toFrame());
    }
}
