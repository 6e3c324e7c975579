package io.kdstream.models;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Options of the residual families from "Bag of Tricks for Image Classification with Convolutional Neural Networks"
 * (He et al., 2019). B, C and D change the network; ZERO_GAMMA changes only its initialisation.
 */
public enum Tweak {
    /** ResNet-B: a downsampling bottleneck strides in its 3x3 convolution, not in its first 1x1 (which skips 3/4). */
    B,
    /** ResNet-C: the stem is three 3x3 convolutions (w/2, w/2, w) instead of one. */
    C,
    /** ResNet-D: a downsampling shortcut average-pools 2x2 and then applies a stride-1 1x1 convolution. */
    D,
    /** Zero-gamma: the last batch norm of every residual branch starts with gamma = 0 (blocks start as identity). */
    ZERO_GAMMA;

    /** Parses {@code b,c,d,zero-gamma} (any case, empty = none). */
    public static Set<Tweak> parse(List<String> names) {
        Set<Tweak> out = EnumSet.noneOf(Tweak.class);
        for (String n : names) {
            String norm = n.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (norm.isEmpty()) {
                continue;
            }
            try {
                out.add(valueOf(norm));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown tweak '" + n + "' (known: b, c, d, zero-gamma)");
            }
        }
        return out;
    }

    /** The lower-case name used in settings and saved models. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
