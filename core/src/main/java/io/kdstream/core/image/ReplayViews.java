package io.kdstream.core.image;

import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.DType;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.ImageU8;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.Tensor;
import io.kdstream.core.wire.View;
import io.kdstream.core.wire.ViewEncoding;
import io.kdstream.core.wire.WireFormatException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A batch as a recording keeps it: everything that makes the student's view (sample ids, crop boxes, flips, mixing
 * partners and lambdas, the cutmix box, the view's side and encoding) and the CRC-32C of the view as the augmenter
 * made it, but not its pixels, nor the targets (derived from labels, partners and lambdas). Whoever holds the
 * dataset renders the exact view again ({@link #restore}): the same arithmetic as the augmenter
 * ({@link ViewRendering}) on the same source pixels gives the same bytes, and the restored frame carries the
 * augmenter's checksum, so decoding it verifies them. Batches of view records ({@code loader.ship=reference}) carry
 * no pixels already and are kept as they are.
 */
public final class ReplayViews {
    /** The {@code views} property of a stripped batch. */
    static final String REPLAY = "replay";
    /** What a stripped frame leaves out: the pixels and what they alone determine. */
    private static final Set<String> LEFT_OUT_TENSORS = Set.of("view", "student_view", "target");
    private static final Set<String> LEFT_OUT_PROPERTIES = Set.of("view_crc32c", "student_view_crc32c",
            "teacher_view");

    /** The source images of a dataset, by sample id. */
    public interface Source {
        /**
         * The decoded image of a sample, as the loader read it.
         *
         * @throws RenderException when there is no such sample or it cannot be read
         */
        ImageU8 image(long sampleId) throws RenderException;
    }

    private ReplayViews() {
    }

    /** Whether a batch frame is a stripped one. */
    public static boolean isStripped(Frame f) {
        return REPLAY.equals(f.stringProperty("views", "pixels"));
    }

    /**
     * The frame without its pixels: properties {@code views=replay}, {@code replay_size}, {@code replay_channels},
     * {@code replay_encoding} and {@code replay_crc32c} describe the view the student trained on (the student's view
     * when the batch has one, else the shared view). A frame of view records, or one that is not a batch (an
     * EPOCH_END marker), is returned as it is.
     */
    public static Frame strip(Frame f) {
        boolean batch = f.kind() == RecordKind.AUGMENTED_BATCH || f.kind() == RecordKind.ANNOTATED_BATCH;
        if (!batch || "records".equals(f.stringProperty("views", "pixels")) || isStripped(f)) {
            return f;
        }
        String trained = f.optionalTensor("student_view") != null ? "student_view" : "view";
        Tensor view = f.tensor(trained);
        if (view.rank() != 4 || view.shape()[1] != view.shape()[2]) {
            throw new WireFormatException("batch " + key(f) + ": tensor '" + trained + "' is not square N,H,W,C: "
                    + view);
        }
        Frame.Builder b = Frame.builder(f.kind()).epoch(f.epoch()).partition(f.partition()).id(f.id())
                .createdAtMs(f.createdAtMs());
        for (Map.Entry<String, Object> p : f.properties().entrySet()) {
            if (!LEFT_OUT_PROPERTIES.contains(p.getKey())) {
                put(b, p.getKey(), p.getValue());
            }
        }
        b.property("views", REPLAY).property("replay_size", view.shape()[1]).property("replay_channels",
                view.shape()[3]).property("replay_encoding", ViewEncoding.of(view.dtype()).name().toLowerCase(
                        Locale.ROOT)).property("replay_crc32c", AugmentedBatch.crc32c(view));
        for (Tensor t : f.tensors().values()) {
            if (!LEFT_OUT_TENSORS.contains(t.name())) {
                b.tensor(t);
            }
        }
        return b.build();
    }

    /**
     * A stripped frame with its view rendered again from {@code source}: a frame of the same kind whose shared
     * {@code view} is the view the student trained on, with the augmenter's CRC-32C and the targets, ready for the
     * usual decoding (which checks the CRC).
     *
     * @throws RenderException when the source's image does not fit the record (another dataset)
     */
    public static Frame restore(Frame f, Source source) throws RenderException {
        if (!isStripped(f)) {
            return f;
        }
        Tensor ids = f.tensor("sample_id");
        int n = ids.size();
        long[] sampleIds = ids.require(DType.INT64, n).toLongs();
        int size = (int) f.longProperty("replay_size");
        int c = (int) f.longProperty("replay_channels");
        ViewEncoding encoding = ViewEncoding.valueOf(f.stringProperty("replay_encoding").toUpperCase(Locale.ROOT));
        int[] boxes = f.tensor("crop_box").require(DType.INT32, n, 4).toInts();
        byte[] flips = f.tensor("flip").require(DType.UINT8, n).toBytes();
        int[] partners = f.tensor("partner").require(DType.INT32, n).toInts();
        float[] lambdas = f.tensor("lambda").require(DType.FLOAT32, n).toFloats();
        int[] labels = f.tensor("label").require(DType.INT32, n).toInts();
        Tensor cut = f.optionalTensor("cut_box");
        MixMode mix = MixMode.ofWireName(f.stringProperty("mix"));
        float[] crops = new float[n * size * size * c];
        for (int i = 0; i < n; i++) {
            ImageU8 image = source.image(sampleIds[i]);
            if (image.channels() != c) {
                throw new RenderException("batch " + key(f) + ", sample " + sampleIds[i] + ": the dataset's image has "
                        + image.channels() + " channels, the recording's view " + c + "; replay with the dataset "
                        + "the recording was made from", null);
            }
            ViewRendering.crop(image, i, boxes, flips, size, crops);
        }
        for (int p : partners) {
            if (p < 0 || p >= n) {
                throw new WireFormatException("batch " + key(f) + ": partner " + p + " is not an image of the batch");
            }
        }
        float[] views = ViewRendering.mixAll(crops, n, size, c, mix, partners, lambdas[0],
                cut == null ? null : cut.require(DType.FLOAT32, 4).toFloats(), encoding);
        int k = (int) f.longProperty("num_classes");
        Frame.Builder b = Frame.builder(f.kind()).epoch(f.epoch()).partition(f.partition()).id(f.id())
                .createdAtMs(f.createdAtMs());
        for (Map.Entry<String, Object> p : f.properties().entrySet()) {
            if (!p.getKey().startsWith("replay_") && !p.getKey().equals("views")) {
                put(b, p.getKey(), p.getValue());
            }
        }
        b.property("view_crc32c", f.longProperty("replay_crc32c"));
        f.tensors().values().forEach(b::tensor);
        float[] targets = AugmentedBatch.mixedTargets(labels, partners, lambdas, k);
        b.tensor(Tensor.ofFloats("target", new int[] {n, k}, targets));
        b.tensor(new View(n, size, size, c, views, encoding).toTensor("view"));
        return b.build();
    }

    private static void put(Frame.Builder b, String key, Object v) {
        if (v instanceof Long l) {
            b.property(key, l);
        } else if (v instanceof Double d) {
            b.property(key, d);
        } else {
            b.property(key, (String) v);
        }
    }

    private static String key(Frame f) {
        return AugmentedBatch.key(f.epoch(), f.partition(), f.id());
    }
}
