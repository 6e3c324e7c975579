package io.kdstream.core.wire;

import java.util.Locale;

/** How the images of a batch were mixed. Written as the lower-case name in property {@code mix}. */
public enum MixMode {
    /** No mixing: lambda 1, partner = self. */
    NONE,
    /** Pixel-wise blend: view_i = lambda * x_i + (1 - lambda) * x_partner. */
    MIXUP,
    /** A box of the partner pasted into the image; lambda = fraction of the image kept. */
    CUTMIX;

    /** The wire spelling. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire spelling. */
    public static MixMode ofWireName(String s) {
        for (MixMode m : values()) {
            if (m.wireName().equals(s)) {
                return m;
            }
        }
        throw new WireFormatException("unknown mix mode '" + s + "' (known: none, mixup, cutmix)");
    }
}
