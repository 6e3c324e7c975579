package io.kdstream.core.image;

import io.kdstream.core.wire.ImageU8;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG and JPEG bytes with the JDK's ImageIO into uint8 HWC pixels with a fixed channel count: grey images
 * are replicated to RGB, colour images are reduced to grey with ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B).
 * Grey sources are read from the raster directly, without ImageIO's colour-space conversion. The loader decodes with
 * it when it publishes pixels, the augmenter when the loader publishes the files' bytes ({@code loader.ship}).
 */
public final class ImageDecoder {
    private final int channels;
    private final int maxSide;

    /**
     * @param channels 1 or 3
     * @param maxSide  images with a larger side are rejected before decoding (decompression bombs)
     */
    public ImageDecoder(int channels, int maxSide) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        this.channels = channels;
        this.maxSide = maxSide;
    }

    /**
     * Reads only a file's header: its size as {height, width}, refusing what {@link #decode} would refuse for its
     * size or format (what {@code loader.ship=reference} sends instead of the pixels).
     *
     * @throws ImageDecodeException when the file is not a PNG or JPEG image, or too large
     */
    public int[] readSize(java.nio.file.Path file) throws ImageDecodeException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = open(in, "unrecognised header");
            try {
                return new int[] {reader.getHeight(0), reader.getWidth(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException("unreadable image header: " + e.getMessage()
                    + "; re-export or remove the file", e);
        }
    }

    /**
     * The reader of an image stream with its input set, once its header shows a size within {@code maxSide}.
     *
     * @param what how the stream is described when no reader recognises it
     */
    private ImageReader open(ImageInputStream in, String what) throws IOException, ImageDecodeException {
        Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageDecodeException("not a PNG or JPEG image (" + what + "); remove or replace the file", null);
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if (w > maxSide || h > maxSide) {
                throw new ImageDecodeException("image is " + w + "x" + h + ", larger than dataset.max-side=" + maxSide
                        + "; shrink it or raise the limit", null);
            }
            return reader;
        } catch (IOException | RuntimeException | ImageDecodeException e) {
            reader.dispose();
            throw e;
        }
    }

    /**
     * Decodes one file's bytes.
     *
     * @throws ImageDecodeException when the bytes are not a decodable PNG or JPEG, or the image is too large
     */
    public ImageU8 decode(byte[] bytes) throws ImageDecodeException {
        return decode(bytes, null, -1, -1);
    }

    /**
     * Decodes only the pixels inside {@code box} of an image that must be {@code height x width}: the same values as
     * decoding it whole and cropping (the reader still decodes whole rows down to the box's last one), without
     * converting or copying the rest. What a consumer of view records does, since it knows the crop first.
     *
     * @throws ImageDecodeException as {@link #decode}, and when the image is not {@code height x width} (the file
     *                              changed since its header was read)
     */
    public ImageU8 decodeRegion(byte[] bytes, CropBox box, int height, int width) throws ImageDecodeException {
        return decode(bytes, box, height, width);
    }

    private ImageU8 decode(byte[] bytes, CropBox box, int height, int width) throws ImageDecodeException {
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = open(in, bytes.length + " bytes, unrecognised header");
            try {
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (box == null) {
                    img = reader.read(0);
                } else {
                    if (h != height || w != width) {
                        throw new ImageDecodeException("image is " + h + "x" + w + " (rows x columns) but was " + height
                                + "x" + width + " when the loader read it; the file changed during the run (keep the "
                                + "dataset read-only)", null);
                    }
                    if (!box.inside(h, w)) {
                        throw new ImageDecodeException("crop box " + box + " lies outside the " + h + "x" + w
                                + " image; the record is corrupt", null);
                    }
                    ImageReadParam param = reader.getDefaultReadParam();
                    param.setSourceRegion(new java.awt.Rectangle(box.left(), box.top(), box.width(), box.height()));
                    img = reader.read(0, param);
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException("corrupt or truncated image: " + e.getMessage()
                    + "; re-export or remove the file", e);
        }
        if (img == null || img.getWidth() <= 0 || img.getHeight() <= 0) {
            throw new ImageDecodeException("decoder returned no image; re-export or remove the file", null);
        }
        return toHwc(img);
    }

    private ImageU8 toHwc(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * channels];
        Raster raster = img.getRaster();
        boolean grey = img.getColorModel().getNumColorComponents() == 1 && raster.getNumBands() <= 2
                && img.getType() != BufferedImage.TYPE_BYTE_INDEXED && img.getType() != BufferedImage.TYPE_BYTE_BINARY;
        if (grey && raster.getSampleModel().getSampleSize(0) == 8) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < channels; c++) {
                        out[(y * w + x) * channels + c] = (byte) row[x];
                    }
                }
            }
            return new ImageU8(h, w, channels, out);
        }
        if (img.getColorModel().getColorSpace().isCS_sRGB() && raster.getDataBuffer() instanceof DataBufferByte buf
                && raster.getSampleModel() instanceof ComponentSampleModel sm && sm.getNumBands() >= 3
                && sm.getSampleSize(0) == 8 && !img.getColorModel().hasAlpha()) {
            return fromInterleavedBytes(buf, sm, raster, w, h, out);
        }
        return toHwcViaArgb(img, w, h, out);
    }

    /**
     * The pixels of an 8-bit interleaved sRGB raster (what ImageIO's JPEG reader returns: 3-byte BGR) read straight
     * from its bytes. {@code getRGB} gives the same values but costs about twice the JPEG decode itself
     * (docs/PERFORMANCE.md).
     */
    private ImageU8 fromInterleavedBytes(DataBufferByte buf, ComponentSampleModel sm, Raster raster, int w, int h,
                                         byte[] out) {
        byte[] data = buf.getData();
        int[] band = sm.getBandOffsets();
        int pixelStride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        int base = buf.getOffset() - (raster.getSampleModelTranslateY() * scanline
                + raster.getSampleModelTranslateX() * pixelStride);
        int r0 = band[0];
        int g0 = band[1];
        int b0 = band[2];
        int o = 0;
        for (int y = 0; y < h; y++) {
            int row = base + y * scanline;
            for (int x = 0; x < w; x++) {
                int p = row + x * pixelStride;
                if (channels == 3) {
                    out[o++] = data[p + r0];
                    out[o++] = data[p + g0];
                    out[o++] = data[p + b0];
                } else {
                    out[o++] = (byte) Math.round(0.299 * (data[p + r0] & 0xff) + 0.587 * (data[p + g0] & 0xff)
                            + 0.114 * (data[p + b0] & 0xff));
                }
            }
        }
        return new ImageU8(h, w, channels, out);
    }

    /** Any other image: through {@code getRGB}, which converts to sRGB (public as the reference for tests). */
    public ImageU8 toHwcViaArgb(BufferedImage img, int w, int h, byte[] out) {
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int r = (argb[i] >> 16) & 0xff;
            int g = (argb[i] >> 8) & 0xff;
            int b = argb[i] & 0xff;
            if (channels == 3) {
                out[i * 3] = (byte) r;
                out[i * 3 + 1] = (byte) g;
                out[i * 3 + 2] = (byte) b;
            } else {
                out[i] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
            }
        }
        return new ImageU8(h, w, channels, out);
    }
}
