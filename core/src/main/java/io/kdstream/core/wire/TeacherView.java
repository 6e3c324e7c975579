package io.kdstream.core.wire;

import java.util.Locale;

/**
 * What the teacher's view of a batch is, relative to the student's ("A good teacher is patient and consistent",
 * Beyer et al., 2022). Written as the lower-case name in the optional property {@code teacher_view} (absent means
 * consistent).
 */
public enum TeacherView {
    /** The same crop, flip and mix as the student's view (function matching). */
    CONSISTENT,
    /** Another random crop and flip of the same images, mixed the same way: the teacher labels different noise. */
    INDEPENDENT,
    /**
     * The unmixed centre (whole-image) view of each image: the teacher service computes its prediction once per image
     * and reuses it, mixing the probabilities with the batch's partners and lambdas.
     */
    FIXED;

    /** The wire spelling. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire spelling. */
    public static TeacherView ofWireName(String s) {
        for (TeacherView v : values()) {
            if (v.wireName().equals(s)) {
                return v;
            }
        }
        throw new WireFormatException("unknown teacher view '" + s + "' (known: consistent, independent, fixed)");
    }
}
