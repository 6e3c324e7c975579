package io.kdstream.core.wire;

import java.util.zip.CRC32C;

/**
 * A batch of augmented, mixed views with everything needed to train on it (record kind AUGMENTED_BATCH). Every
 * per-sample array has N entries, in batch order.
 *
 * @param epoch       0-based epoch
 * @param partition   source partition of the samples
 * @param seq         batch sequence number within (epoch, partition), from 0; with epoch and partition it is the
 *                    batch id used for de-duplication
 * @param createdAtMs earliest loader timestamp of the samples
 * @param numClasses  K
 * @param mix         how the batch was mixed
 * @param sampleIds   stable sample ids
 * @param labels      original hard labels, -1 when unlabeled
 * @param loadedAtMs  per-sample loader timestamps
 * @param partners    index (within the batch) of the image each one was mixed with
 * @param lambdas     weight of the image's own content in its view (mixup coefficient or kept-area fraction)
 * @param targets     N*K mixed one-hot targets: lambda * onehot(y_i) + (1 - lambda) * onehot(y_partner); all zero
 *                    for unlabeled samples
 * @param cropBoxes   N*4 crop boxes in source pixels: top, left, height, width
 * @param flips       1 where the crop was flipped horizontally
 * @param cutBox      cutmix box in normalized view coordinates: top, left, bottom, right; null unless CUTMIX
 * @param view        the teacher's view (and the student's when {@code studentView} is null); null in a batch of
 *                    view records until a consumer renders it
 * @param studentView the student's view from the same boxes at the student's resolution, or null
 * @param teacherView how {@code view} relates to the student's view: consistent (the same boxes and mix), independent
 *                    (other boxes, same mix) or fixed (unmixed whole images); {@code cropBoxes} and {@code flips}
 *                    always describe the student's view
 * @param recipe      for {@code loader.ship=reference}: the files and view sizes to render from, which the record
 *                    carries instead of any pixels (rendered views are never written); null when pixels travel
 */
public record AugmentedBatch(int epoch, int partition, long seq, long createdAtMs, int numClasses, MixMode mix,
                             long[] sampleIds, int[] labels, long[] loadedAtMs, int[] partners, float[] lambdas,
                             float[] targets, int[] cropBoxes, byte[] flips, float[] cutBox, View view,
                             View studentView, TeacherView teacherView, ViewRecipe recipe) {

    /** A batch whose views travel as pixels. */
    public AugmentedBatch(int epoch, int partition, long seq, long createdAtMs, int numClasses, MixMode mix,
                          long[] sampleIds, int[] labels, long[] loadedAtMs, int[] partners, float[] lambdas,
                          float[] targets, int[] cropBoxes, byte[] flips, float[] cutBox, View view, View studentView,
                          TeacherView teacherView) {
        this(epoch, partition, seq, createdAtMs, numClasses, mix, sampleIds, labels, loadedAtMs, partners, lambdas,
                targets, cropBoxes, flips, cutBox, view, studentView, teacherView, null);
    }

    /** A batch whose teacher sees exactly the student's view. */
    public AugmentedBatch(int epoch, int partition, long seq, long createdAtMs, int numClasses, MixMode mix,
                          long[] sampleIds, int[] labels, long[] loadedAtMs, int[] partners, float[] lambdas,
                          float[] targets, int[] cropBoxes, byte[] flips, float[] cutBox, View view, View studentView) {
        this(epoch, partition, seq, createdAtMs, numClasses, mix, sampleIds, labels, loadedAtMs, partners, lambdas,
                targets, cropBoxes, flips, cutBox, view, studentView, TeacherView.CONSISTENT);
    }

    public AugmentedBatch {
        int n = sampleIds.length;
        check(labels.length == n && loadedAtMs.length == n && partners.length == n && lambdas.length == n
                && flips.length == n, "per-sample arrays must all have N=" + n + " entries");
        check(targets.length == n * numClasses, "targets must have N*K=" + (n * numClasses) + " entries");
        check(cropBoxes.length == n * 4, "cropBoxes must have N*4 entries");
        check(view != null || recipe != null, "a batch needs a view or a view recipe");
        check(view == null || view.count() == n, "view must hold N=" + n + " images, has "
                + (view == null ? 0 : view.count()));
        check(recipe == null || recipe.paths().size() == n, "the view recipe must name N=" + n + " files");
        check(recipe == null || teacherView == TeacherView.CONSISTENT, "view records need a consistent teacher view");
        check(studentView == null || studentView.count() == n, "studentView must hold N images");
        check(cutBox == null || cutBox.length == 4, "cutBox must have 4 entries");
        check(teacherView != null, "teacherView must be given");
        check(teacherView == TeacherView.CONSISTENT || studentView != null || view == null, "a "
                + teacherView.wireName()
                + " teacher view needs a separate student view");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new WireFormatException("augmented batch: " + message);
        }
    }

    /** Batch size N. */
    public int size() {
        return sampleIds.length;
    }

    /** The batch id and Kafka record key: {@code e<epoch>-p<partition>-b<seq>}. */
    public String key() {
        return key(epoch, partition, seq);
    }

    /** The batch id of (epoch, partition, seq). */
    public static String key(int epoch, int partition, long seq) {
        return "e" + epoch + "-p" + partition + "-b" + seq;
    }

    /** The view the student trains on. */
    public View trainingView() {
        View v = studentView != null ? studentView : view;
        if (v == null) {
            throw new IllegalStateException("batch " + key() + " carries view records; render it first");
        }
        return v;
    }

    /** Whether the record carries view records (files and geometry) rather than pixels. */
    public boolean hasRecipe() {
        return recipe != null;
    }

    /** A copy with rendered views (of a batch of view records); either may be null when not needed. */
    public AugmentedBatch withViews(View teacher, View student, ViewRecipe newRecipe) {
        return new AugmentedBatch(epoch, partition, seq, createdAtMs, numClasses, mix, sampleIds, labels, loadedAtMs,
                partners, lambdas, targets, cropBoxes, flips, cutBox, teacher, student, teacherView, newRecipe);
    }

    /** Converts to the generic frame of the given kind (AUGMENTED_BATCH, or ANNOTATED_BATCH for subclasses). */
    Frame.Builder toFrameBuilder(RecordKind kind) {
        int n = size();
        Frame.Builder b = Frame.builder(kind).epoch(epoch).partition(partition).id(seq).createdAtMs(createdAtMs)
                .property("num_classes", numClasses).property("mix", mix.wireName())
                .tensor(Tensor.ofLongs("sample_id", new int[] {n}, sampleIds))
                .tensor(Tensor.ofInts("label", new int[] {n}, labels))
                .tensor(Tensor.ofLongs("loaded_at_ms", new int[] {n}, loadedAtMs))
                .tensor(Tensor.ofInts("partner", new int[] {n}, partners))
                .tensor(Tensor.ofFloats("lambda", new int[] {n}, lambdas))
                .tensor(Tensor.ofInts("crop_box", new int[] {n, 4}, cropBoxes))
                .tensor(Tensor.ofBytes("flip", new int[] {n}, flips));
        if (recipe == null) { // view records leave the targets out: every consumer derives them (mixedTargets)
            b.tensor(Tensor.ofFloats("target", new int[] {n, numClasses}, targets));
        }
        if (cutBox != null) {
            b.tensor(Tensor.ofFloats("cut_box", new int[] {4}, cutBox));
        }
        if (recipe != null) { // view records: never the pixels, whoever rendered them
            recipe.write(b);
            return b;
        }
        Tensor viewTensor = view.toTensor("view");
        b.property("view_crc32c", crc32c(viewTensor)).tensor(viewTensor);
        if (studentView != null) {
            Tensor sv = studentView.toTensor("student_view");
            b.property("student_view_crc32c", crc32c(sv)).tensor(sv);
        }
        if (teacherView != TeacherView.CONSISTENT) {
            b.property("teacher_view", teacherView.wireName());
        }
        return b;
    }

    /** Converts to the generic frame. */
    public Frame toFrame() {
        return toFrameBuilder(RecordKind.AUGMENTED_BATCH).build();
    }

    /** Encodes to record-value bytes. */
    public byte[] encode() {
        return FrameCodec.encode(toFrame());
    }

    /** Decodes record-value bytes of an AUGMENTED_BATCH. */
    public static AugmentedBatch decode(byte[] bytes) {
        return fromFrame(FrameCodec.decode(bytes).requireKind(RecordKind.AUGMENTED_BATCH));
    }

    /**
     * Reads the batch part of an AUGMENTED_BATCH or ANNOTATED_BATCH frame and verifies the view checksums, so a
     * consumer never trains on bytes that differ from those the augmenter wrote.
     */
    public static AugmentedBatch fromFrame(Frame f) {
        if (f.kind() != RecordKind.AUGMENTED_BATCH && f.kind() != RecordKind.ANNOTATED_BATCH) {
            throw new WireFormatException("expected an AUGMENTED_BATCH or ANNOTATED_BATCH record but got " + f.kind());
        }
        int k = (int) f.longProperty("num_classes");
        Tensor ids = f.tensor("sample_id");
        int n = ids.size();
        ids.require(DType.INT64, n);
        ViewRecipe recipe = ViewRecipe.isRecipe(f) ? ViewRecipe.read(f, n) : null;
        Tensor viewTensor = recipe != null ? null : f.tensor("view");
        Tensor sv = recipe != null ? null : f.optionalTensor("student_view");
        if (viewTensor != null) {
            verifyCrc(f, "view_crc32c", viewTensor);
        }
        if (sv != null) {
            verifyCrc(f, "student_view_crc32c", sv);
        }
        Tensor cut = f.optionalTensor("cut_box");
        int[] labels = f.tensor("label").require(DType.INT32, n).toInts();
        int[] partners = f.tensor("partner").require(DType.INT32, n).toInts();
        float[] lambdas = f.tensor("lambda").require(DType.FLOAT32, n).toFloats();
        for (int p : partners) {
            if (p < 0 || p >= n) {
                throw new WireFormatException("batch " + key(f.epoch(), f.partition(), f.id()) + ": partner " + p
                        + " is not an image of the batch");
            }
        }
        return new AugmentedBatch(f.epoch(), f.partition(), f.id(), f.createdAtMs(), k,
                MixMode.ofWireName(f.stringProperty("mix")), ids.toLongs(),
                labels, f.tensor("loaded_at_ms").require(DType.INT64, n).toLongs(), partners, lambdas,
                recipe != null ? mixedTargets(labels, partners, lambdas, k)
                        : f.tensor("target").require(DType.FLOAT32, n, k).toFloats(),
                f.tensor("crop_box").require(DType.INT32, n, 4).toInts(),
                f.tensor("flip").require(DType.UINT8, n).toBytes(),
                cut == null ? null : cut.require(DType.FLOAT32, 4).toFloats(),
                viewTensor == null ? null : View.fromTensor(viewTensor), sv == null ? null : View.fromTensor(sv),
                TeacherView.ofWireName(f.stringProperty("teacher_view", TeacherView.CONSISTENT.wireName())), recipe);
    }

    /**
     * The mixed targets of a batch: lambda_i * onehot(y_i) + (1 - lambda_i) * onehot(y_partner(i)), skipping
     * unlabeled (-1) samples.
     */
    public static float[] mixedTargets(int[] labels, int[] partners, float[] lambdas, int k) {
        int n = labels.length;
        float[] t = new float[n * k];
        for (int i = 0; i < n; i++) {
            if (labels[i] >= k || labels[partners[i]] >= k) {
                throw new WireFormatException("label " + Math.max(labels[i], labels[partners[i]]) + " is not one of "
                        + k + " classes");
            }
            if (labels[i] >= 0) {
                t[i * k + labels[i]] += lambdas[i];
            }
            int pl = labels[partners[i]];
            if (pl >= 0) {
                t[i * k + pl] += 1 - lambdas[i];
            }
        }
        return t;
    }

    private static void verifyCrc(Frame f, String property, Tensor t) {
        long expected = f.longProperty(property);
        long actual = crc32c(t);
        if (expected != actual) {
            throw new WireFormatException("batch " + key(f.epoch(), f.partition(), f.id()) + ": tensor '" + t.name()
                    + "' has CRC-32C " + Long.toHexString(actual) + " but the producer wrote " + Long.toHexString(expected)
                    + "; the record was corrupted in flight or edited");
        }
    }

    /** CRC-32C of a tensor's little-endian data bytes: the checksum carried in {@code *_crc32c} properties. */
    public static long crc32c(Tensor t) {
        CRC32C crc = new CRC32C();
        crc.update(t.data());
        return crc.getValue();
    }
}
