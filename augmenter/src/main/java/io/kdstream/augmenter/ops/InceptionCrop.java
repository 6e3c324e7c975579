package io.kdstream.augmenter.ops;

import io.kdstream.core.image.CropBox;

import java.util.SplittableRandom;

/**
 * The inception-style random-resized crop (as torchvision's RandomResizedCrop): an area fraction drawn uniformly
 * from [minScale, maxScale], an aspect ratio drawn log-uniformly from [minRatio, maxRatio], up to ten tries to fit
 * it in the image, else the largest centred crop with the ratio clamped into range.
 *
 * @param minScale smallest area fraction, e.g. 0.08
 * @param maxScale largest area fraction, e.g. 1
 * @param minRatio smallest width/height, e.g. 3/4
 * @param maxRatio largest width/height, e.g. 4/3
 */
public record InceptionCrop(double minScale, double maxScale, double minRatio, double maxRatio) {
    public InceptionCrop {
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
            throw new IllegalArgumentException("crop scale range must satisfy 0 < min <= max <= 1, got [" + minScale
                    + ", " + maxScale + "]");
        }
        if (!(minRatio > 0 && minRatio <= maxRatio)) {
            throw new IllegalArgumentException("crop ratio range must satisfy 0 < min <= max, got [" + minRatio + ", "
                    + maxRatio + "]");
        }
    }

    /** Draws one box for an image of the given size. */
    public CropBox sample(int height, int width, SplittableRandom rnd) {
        double area = (double) height * width;
        double logMin = Math.log(minRatio);
        double logMax = Math.log(maxRatio);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (minScale + (maxScale - minScale) * rnd.nextDouble());
            double ratio = Math.exp(logMin + (logMax - logMin) * rnd.nextDouble());
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height) {
                int top = rnd.nextInt(height - h + 1);
                int left = rnd.nextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < minRatio) {
            w = width;
            h = Math.max(1, Math.min(height, (int) Math.round(w / minRatio)));
        } else if (inRatio > maxRatio) {
            h = height;
            w = Math.max(1, Math.min(width, (int) Math.round(h * maxRatio)));
        } else {
            w = width;
            h = height;
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }
}
