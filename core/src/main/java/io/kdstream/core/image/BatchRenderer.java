package io.kdstream.core.image;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.View;
import io.kdstream.core.wire.ViewRecipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renders the views of a batch of view records ({@code loader.ship=reference}) from the files it names: decodes
 * and crops the images on {@code render.threads} threads, then mixes them exactly as the augmenter would have. The
 * teacher service renders the teacher's view and records its CRC-32C in the batch it publishes; the student renders
 * its own view and, when the two share one view, checks that CRC, so teacher and student provably saw the same
 * pixels. Thread-safe; close it to stop its threads.
 */
public final class BatchRenderer implements AutoCloseable {
    private final ExecutorService pool;

    /** @param threads decoding threads, >= 1 */
    public BatchRenderer(int threads) {
        ConfigException.require(threads >= 1, "render.threads", threads, "must be >= 1");
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kds-render-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** One decoding thread per core: the default of {@code render.threads}. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Reads {@code render.threads}: the threads that decode and crop view records' files (default one per core). */
    public static int threads(Settings s) {
        int n = s.integer(Keys.RENDER_THREADS, defaultThreads());
        ConfigException.require(n >= 1, "render.threads", n, "must be >= 1");
        return n;
    }

    /** The teacher's view of a batch of view records, with its CRC-32C recorded in the recipe. */
    public AugmentedBatch renderTeacher(AugmentedBatch b) throws RenderException {
        ViewRecipe r = b.recipe();
        View v = render(b, r.teacherSize());
        return b.withViews(v, null, r.withTeacherViewCrc(AugmentedBatch.crc32c(v.toTensor("view"))));
    }

    /**
     * The student's view of a batch of view records. When teacher and student share one view and a teacher has
     * rendered it, the pixels must match the teacher's CRC-32C.
     */
    public AugmentedBatch renderStudent(AugmentedBatch b) throws RenderException {
        ViewRecipe r = b.recipe();
        View v = render(b, r.studentSize());
        if (r.sharedView() && r.teacherViewCrc() >= 0) {
            long crc = AugmentedBatch.crc32c(v.toTensor("view"));
            if (crc != r.teacherViewCrc()) {
                throw new RenderException("batch " + b.key() + ": the student rendered other pixels than the teacher "
                        + "(CRC-32C " + Long.toHexString(crc) + ", the teacher's " + Long.toHexString(r.teacherViewCrc())
                        + "); the teacher and the student must read identical files under " + r.root(), null);
            }
        }
        return r.sharedView() ? b.withViews(v, null, r) : b.withViews(null, v, r);
    }

    private View render(AugmentedBatch b, int size) throws RenderException {
        ViewRecipe r = b.recipe();
        if (r == null) {
            throw new IllegalArgumentException("batch " + b.key() + " carries pixels, not view records");
        }
        int n = b.size();
        int c = r.channels();
        int per = size * size * c;
        float[] crops = new float[n * per];
        ImageDecoder decoder = new ImageDecoder(c, r.maxSide());
        Path root = Path.of(r.root()).normalize();
        // image by image on the pool: decode the crop box and resize it; then mix and round each view, which reads
        // its partner's crop, so only after every crop is done
        forEachImage(b, i -> ViewRendering.cropDecoded(read(b, r, root, decoder, i), i, b.flips(), size, crops));
        float[] views = b.mix() == io.kdstream.core.wire.MixMode.NONE ? crops : new float[n * per];
        float lambda = b.lambdas()[0];
        forEachImage(b, i -> ViewRendering.mixOne(crops, views, i, size, c, b.mix(), b.partners(), lambda,
                b.cutBox(), r.encoding()));
        return new View(n, size, size, c, views, r.encoding());
    }

    /** Work on one image of a batch. */
    private interface PerImage {
        void run(int i) throws RenderException;
    }

    /** Runs {@code work} for every image of the batch on the pool; the first failure is thrown. */
    private void forEachImage(AugmentedBatch b, PerImage work) throws RenderException {
        int n = b.size();
        List<Future<?>> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int idx = i;
            parts.add(pool.submit(() -> {
                work.run(idx);
                return null;
            }));
        }
        for (Future<?> f : parts) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RenderException("batch " + b.key() + ": interrupted while rendering", e);
            } catch (ExecutionException e) {
                parts.forEach(p -> p.cancel(false));
                if (e.getCause() instanceof RenderException re) {
                    throw re;
                }
                throw new RenderException("batch " + b.key() + ": " + e.getCause(), e.getCause());
            }
        }
    }

    /** The pixels inside image {@code i}'s crop box, decoded from its file. */
    private static ImageU8 read(AugmentedBatch b, ViewRecipe r, Path root, ImageDecoder decoder, int i)
            throws RenderException {
        Path file = root.resolve(r.paths().get(i)).normalize();
        String where = "batch " + b.key() + ", sample " + b.sampleIds()[i] + ": " + file;
        if (!file.startsWith(root)) {
            throw new RenderException(where + " lies outside the dataset folder " + root + "; the record is forged "
                    + "or corrupt", null);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RenderException(where + ": cannot read (" + e + "); with loader.ship=reference every teacher "
                    + "and student must see the dataset at the loader's path " + root, e);
        }
        int[] boxes = b.cropBoxes();
        try { // only the crop box: the rest of the image is never needed
            return decoder.decodeRegion(bytes, new CropBox(boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2],
                    boxes[i * 4 + 3]), r.sourceSizes()[i * 2], r.sourceSizes()[i * 2 + 1]);
        } catch (ImageDecodeException | IllegalArgumentException e) {
            throw new RenderException(where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
