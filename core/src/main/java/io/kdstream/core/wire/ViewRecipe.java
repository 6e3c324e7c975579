package io.kdstream.core.wire;

import java.util.List;

/**
 * What an AUGMENTED_BATCH carries instead of pixels when the loader names files ({@code loader.ship=reference}): where
 * each image is and how to render its views. With the batch's crop boxes, flips and mixing this is all a consumer
 * needs to render exactly the views the augmenter would have sent (see {@code io.kdstream.core.image.BatchRenderer}).
 *
 * @param root           the dataset folder as the loader read it; every consumer must see the files there
 * @param paths          N files, relative to {@code root}, in batch order
 * @param sourceSizes    N*2 source sizes (height, width) from the files' headers; a file whose size differs when a
 *                       consumer decodes it has changed since the loader read it
 * @param channels       1 or 3
 * @param maxSide        larger images are refused, as by the loader
 * @param teacherSize    side of the teacher's view
 * @param studentSize    side of the student's view (equal to {@code teacherSize} for one shared view)
 * @param encoding       what the views are rounded to, as if they had travelled
 * @param teacherViewCrc CRC-32C of the teacher's view as the teacher rendered it (uint8/float16/float32 bytes of
 *                       the wire tensor), written by the teacher service; -1 before a teacher has rendered it
 */
public record ViewRecipe(String root, List<String> paths, int[] sourceSizes, int channels, int maxSide,
                         int teacherSize, int studentSize, ViewEncoding encoding, long teacherViewCrc) {
    /** The largest view side a recipe may ask for. */
    public static final int MAX_VIEW = 4096;

    public ViewRecipe {
        paths = List.copyOf(paths);
        if (sourceSizes.length != paths.size() * 2) {
            throw new WireFormatException("view recipe: source sizes must have N*2=" + paths.size() * 2
                    + " entries, got " + sourceSizes.length);
        }
        if (channels != 1 && channels != 3) {
            throw new WireFormatException("view recipe: channels must be 1 or 3, got " + channels);
        }
        if (teacherSize < 1 || studentSize < 1 || teacherSize > MAX_VIEW || studentSize > MAX_VIEW) {
            throw new WireFormatException("view recipe: view sizes must be 1.." + MAX_VIEW + ", got " + teacherSize
                    + " and " + studentSize);
        }
        if (paths.isEmpty()) {
            throw new WireFormatException("view recipe: a batch names at least one file");
        }
        for (int v : sourceSizes) {
            if (v < 1 || v > maxSide) {
                throw new WireFormatException("view recipe: source sizes must be 1.." + maxSide + " (max_side), got "
                        + v);
            }
        }
        for (String p : paths) {
            if (p.isEmpty() || p.indexOf('\n') >= 0) {
                throw new WireFormatException("view recipe: bad file name '" + p + "'");
            }
        }
    }

    /** Whether teacher and student share one view (the same size). */
    public boolean sharedView() {
        return teacherSize == studentSize;
    }

    /** A copy that records the CRC-32C of the teacher's rendered view. */
    public ViewRecipe withTeacherViewCrc(long crc) {
        return new ViewRecipe(root, paths, sourceSizes, channels, maxSide, teacherSize, studentSize, encoding, crc);
    }

    /** Writes the recipe into a batch frame. */
    void write(Frame.Builder b) {
        b.property("views", "records").property("root", root).property("paths", String.join("\n", paths))
                .property("channels", channels).property("max_side", maxSide).property("view_size", teacherSize)
                .property("student_size", studentSize).property("view_encoding", encoding.name().toLowerCase(
                        java.util.Locale.ROOT))
                .tensor(Tensor.ofInts("source_size", new int[] {paths.size(), 2}, sourceSizes));
        if (teacherViewCrc >= 0) {
            b.property("view_crc32c", teacherViewCrc);
        }
    }

    /** Whether a batch frame carries view records rather than pixels. */
    static boolean isRecipe(Frame f) {
        return "records".equals(f.stringProperty("views", "pixels"));
    }

    /** Reads the recipe of a batch frame of N images. */
    static ViewRecipe read(Frame f, int n) {
        String joined = f.stringProperty("paths");
        List<String> paths = List.of(joined.split("\n", -1));
        if (paths.size() != n) {
            throw new WireFormatException("batch " + AugmentedBatch.key(f.epoch(), f.partition(), f.id()) + ": "
                    + paths.size() + " file names for " + n + " images");
        }
        ViewEncoding encoding;
        try {
            encoding = ViewEncoding.valueOf(f.stringProperty("view_encoding").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("batch " + AugmentedBatch.key(f.epoch(), f.partition(), f.id())
                    + ": unknown view_encoding '" + f.stringProperty("view_encoding") + "'");
        }
        return new ViewRecipe(f.stringProperty("root"), paths,
                f.tensor("source_size").require(DType.INT32, n, 2).toInts(), (int) f.longProperty("channels"),
                (int) f.longProperty("max_side"), (int) f.longProperty("view_size"),
                (int) f.longProperty("student_size"), encoding, f.longProperty("view_crc32c", -1));
    }
}
