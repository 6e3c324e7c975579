package io.kdstream.loader.dataset;

import io.kdstream.core.wire.ImageU8;
import java.util.List;

/**
 * A random-access set of labelled (or unlabeled) images. Index {@code i} is the sample's stable id.
 * Implementations are thread-safe for reads.
 */
public interface Dataset {
    /** A short name for logs, e.g. {@code fashion-mnist/train}. */
    String name();

    /** Number of images. */
    int size();

    /** Number of classes (for unlabeled data: the classes of the teacher it will be distilled with). */
    int numClasses();

    /** Channels of every decoded image: 1 or 3. */
    int channels();

    /** Class names by index; may be synthetic ({@code "0"}, {@code "1"}, ...). */
    List<String> classNames();

    /** Class names "0", "1", ... for datasets whose files carry only class indices. */
    static List<String> numberedClasses(int count) {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(Integer.toString(i));
        }
        return java.util.Collections.unmodifiableList(names);
    }

    /**
     * Reads and decodes one image.
     *
     * @throws BadImageException when this one image cannot be read or decoded; the rest of the dataset is fine
     */
    Item read(int index) throws BadImageException;

    /**
     * The raw bytes behind an image, for the dead-letter record of a bad one; empty when not file-backed or
     * unreadable.
     */
    default byte[] rawBytes(int index) {
        return new byte[0];
    }

    /**
     * One image's file as it is, for datasets of image files (folders): what the loader sends with
     * {@code loader.ship=encoded}, decoding left to the augmenter.
     *
     * @throws BadImageException when the file cannot be read
     * @throws UnsupportedOperationException for datasets that are not image files
     */
    default Encoded readEncoded(int index) throws BadImageException {
        throw new UnsupportedOperationException(name() + " holds no image files to send undecoded");
    }

    /**
     * One image file named, not read: its folder, its path there and its size from its header, for
     * {@code loader.ship=reference} (the teacher and the student read the file themselves).
     *
     * @throws BadImageException when the header cannot be read or the image is too large
     * @throws UnsupportedOperationException for datasets that are not image files
     */
    default Reference readReference(int index) throws BadImageException {
        throw new UnsupportedOperationException(name() + " holds no image files to name");
    }

    /**
     * An image file named by its folder and relative path.
     *
     * @param root   the dataset folder, absolute
     * @param path   the file, relative to {@code root}
     * @param height rows
     * @param width  columns
     * @param label  the class, or -1 when unlabeled
     */
    record Reference(String root, String path, int height, int width, int label) {
    }

    /**
     * One image file, undecoded.
     *
     * @param bytes  the file's bytes (PNG or JPEG)
     * @param label  the class, or -1 when unlabeled
     * @param source where it came from, for messages
     */
    record Encoded(byte[] bytes, int label, String source) {
    }

    /**
     * One decoded image.
     *
     * @param image  the pixels, HWC uint8 with {@link #channels()} channels
     * @param label  the class, or -1 when unlabeled
     * @param source where it came from (file, or file#index), for messages
     */
    record Item(ImageU8 image, int label, String source) {
    }
}
