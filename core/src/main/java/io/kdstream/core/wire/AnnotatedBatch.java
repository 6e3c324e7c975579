package io.kdstream.core.wire;

/**
 * An augmented batch with the teacher's logits on its view (record kind ANNOTATED_BATCH).
 *
 * @param batch          the batch exactly as the augmenter wrote it
 * @param teacherLogits  N*K logits of the teacher on {@code batch.view()}
 * @param halfPrecision  true to send the logits as float16 instead of float32
 * @param teacherId      the teacher's name
 * @param teacherVersion the teacher's version
 * @param memberIds      an ensemble's member teachers, in order; empty for one teacher
 * @param memberLogits   M*N*K logits of each member (member-major), or null without members; {@code teacherLogits}
 *                       is then the log of their (weighted) average probabilities
 * @param topK           on the wire, only each image's {@code topK} largest logits with their classes and the log of
 *                       the rest's probability mass ({@link TopK}); 0 (or K or more) sends every logit. Read back,
 *                       {@code teacherLogits} holds the top K as sent and the rest spread evenly over their mass
 */
public record AnnotatedBatch(AugmentedBatch batch, float[] teacherLogits, boolean halfPrecision, String teacherId,
                             String teacherVersion, java.util.List<String> memberIds, float[] memberLogits,
                             int topK) {

    public AnnotatedBatch {
        if (topK < 0) {
            throw new WireFormatException("annotated batch " + batch.key() + ": top-K must be >= 0, got " + topK);
        }
        if (teacherLogits.length != batch.size() * batch.numClasses()) {
            throw new WireFormatException("annotated batch " + batch.key() + ": teacher logits must have N*K="
                    + batch.size() * batch.numClasses() + " entries, got " + teacherLogits.length);
        }
        memberIds = java.util.List.copyOf(memberIds);
        int expected = memberIds.size() * batch.size() * batch.numClasses();
        if (memberLogits == null ? !memberIds.isEmpty() : memberLogits.length != expected || memberIds.isEmpty()) {
            throw new WireFormatException("annotated batch " + batch.key() + ": member logits must have M*N*K="
                    + expected + " entries for members " + memberIds);
        }
    }

    /** A batch annotated by one teacher, every logit sent. */
    public AnnotatedBatch(AugmentedBatch batch, float[] teacherLogits, boolean halfPrecision, String teacherId,
                          String teacherVersion) {
        this(batch, teacherLogits, halfPrecision, teacherId, teacherVersion, java.util.List.of(), null, 0);
    }

    /** Every logit sent. */
    public AnnotatedBatch(AugmentedBatch batch, float[] teacherLogits, boolean halfPrecision, String teacherId,
                          String teacherVersion, java.util.List<String> memberIds, float[] memberLogits) {
        this(batch, teacherLogits, halfPrecision, teacherId, teacherVersion, memberIds, memberLogits, 0);
    }

    /** Converts to the generic frame. */
    public Frame toFrame() {
        int[] shape = {batch.size(), batch.numClasses()};
        Frame.Builder b = batch.toFrameBuilder(RecordKind.ANNOTATED_BATCH)
                .property("teacher_id", teacherId).property("teacher_version", teacherVersion);
        if (topK > 0 && topK < batch.numClasses()) {
            TopK.of(teacherLogits, batch.size(), batch.numClasses(), topK).write(b, halfPrecision);
        } else {
            b.tensor(halfPrecision ? Tensor.ofHalfs("teacher_logits", shape, teacherLogits)
                    : Tensor.ofFloats("teacher_logits", shape, teacherLogits));
        }
        if (memberLogits != null) {
            int[] each = {memberIds.size(), batch.size(), batch.numClasses()};
            b.property("teacher_members", String.join(",", memberIds))
                    .tensor(halfPrecision ? Tensor.ofHalfs("teacher_member_logits", each, memberLogits)
                            : Tensor.ofFloats("teacher_member_logits", each, memberLogits));
        }
        return b.build();
    }

    /** Encodes to record-value bytes. */
    public byte[] encode() {
        return FrameCodec.encode(toFrame());
    }

    /** Decodes record-value bytes of an ANNOTATED_BATCH, verifying view checksums and logit shape. */
    public static AnnotatedBatch decode(byte[] bytes) {
        return fromFrame(FrameCodec.decode(bytes));
    }

    /** Reads an ANNOTATED_BATCH frame, verifying view checksums and logit shape. */
    public static AnnotatedBatch fromFrame(Frame f) {
        f.requireKind(RecordKind.ANNOTATED_BATCH);
        AugmentedBatch b = AugmentedBatch.fromFrame(f);
        TopK top = TopK.read(f, b.size(), b.numClasses());
        Tensor logits = top != null ? null : f.tensor("teacher_logits");
        if (top != null) {
            logits = Tensor.ofFloats("teacher_logits", new int[] {b.size(), b.numClasses()}, top.logits());
        }
        if (logits.dtype() != DType.FLOAT32 && logits.dtype() != DType.FLOAT16) {
            throw new WireFormatException("batch " + b.key() + ": teacher_logits must be float32 or float16, got "
                    + logits.dtype());
        }
        if (logits.rank() != 2 || logits.dim(0) != b.size() || logits.dim(1) != b.numClasses()) {
            throw new WireFormatException("batch " + b.key() + ": teacher_logits has shape "
                    + java.util.Arrays.toString(logits.shape()) + ", expected [" + b.size() + ", " + b.numClasses() + "]");
        }
        Tensor each = f.optionalTensor("teacher_member_logits");
        java.util.List<String> members = java.util.List.of();
        float[] memberLogits = null;
        if (each != null) {
            members = java.util.List.of(f.stringProperty("teacher_members").split(","));
            if (each.rank() != 3 || each.dim(0) != members.size() || each.dim(1) != b.size()
                    || each.dim(2) != b.numClasses()) {
                throw new WireFormatException("batch " + b.key() + ": teacher_member_logits has shape "
                        + java.util.Arrays.toString(each.shape()) + ", expected [" + members.size() + ", " + b.size()
                        + ", " + b.numClasses() + "]");
            }
            memberLogits = each.toFloats();
        }
        boolean half = top != null ? top.half() : logits.dtype() == DType.FLOAT16;
        return new AnnotatedBatch(b, logits.toFloats(), half, f.stringProperty("teacher_id"),
                f.stringProperty("teacher_version"), members, memberLogits, top == null ? 0 : top.k());
    }
}
