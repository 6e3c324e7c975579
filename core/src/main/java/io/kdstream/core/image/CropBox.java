package io.kdstream.core.image;

/**
 * A crop rectangle in source pixels.
 *
 * @param top    first row
 * @param left   first column
 * @param height rows
 * @param width  columns
 */
public record CropBox(int top, int left, int height, int width) {
    public CropBox {
        if (top < 0 || left < 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("invalid crop box " + top + "," + left + " " + height + "x" + width);
        }
    }

    /** Whether the box lies inside an image of the given size. */
    public boolean inside(int imageHeight, int imageWidth) {
        return top + height <= imageHeight && left + width <= imageWidth;
    }
}
