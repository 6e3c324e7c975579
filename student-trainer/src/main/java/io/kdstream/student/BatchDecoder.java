package io.kdstream.student;

import io.kdstream.core.image.BatchRenderer;
import io.kdstream.core.image.RenderException;
import io.kdstream.core.image.ReplayViews;
import io.kdstream.core.kafka.DeadLetters;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.EpochEnd;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.core.wire.RecordKind;
import io.kdstream.core.wire.WireFormatException;

/**
 * The student's decoding, off its DJL thread and ahead of training: parsing, checksums, the record kind its mode
 * trains on, the teacher's logits (weighted by the student itself when {@code student.teacher-weights} is set), the
 * teacher policy, class counts, and for view records the student's rendering (checked against the teacher's).
 */
final class BatchDecoder {
    private final StudentConfig config;
    private final BatchRenderer renderer;
    private final ReplayViews.Source source;

    /**
     * @param source the dataset's images, for records of a recording ({@code student.replay}); null otherwise
     */
    BatchDecoder(StudentConfig config, BatchRenderer renderer, ReplayViews.Source source) {
        this.config = config;
        this.renderer = renderer;
        this.source = source;
    }

    /**
     * A consumed record, decoded: a marker, a batch (with teacher logits when distilling), or the reason it must be
     * dead-lettered.
     *
     * @param expected whether {@code student.expect-teachers} lists the batch's teacher
     * @param frame    the record as it arrived (what a recording keeps of it)
     */
    record Decoded(ReceivedRecord<String, byte[]> rec, EpochEnd marker, AugmentedBatch batch, float[] teacherLogits,
                   String teacher, boolean expected, DeadLetters.Reason reason, String error, Frame frame) {
        static Decoded bad(ReceivedRecord<String, byte[]> rec, DeadLetters.Reason reason, String error) {
            return new Decoded(rec, null, null, null, null, true, reason, error, null);
        }
    }

    Decoded decode(ReceivedRecord<String, byte[]> rec) {
        try {
            Frame arrived = FrameCodec.decode(rec.value());
            if (arrived.kind() == RecordKind.EPOCH_END) {
                return new Decoded(rec, EpochEnd.fromFrame(arrived), null, null, null, true, null, null, arrived);
            }
            Frame f = arrived;
            if (ReplayViews.isStripped(arrived)) { // a recorded batch: its view rendered again from the dataset
                if (source == null) {
                    return Decoded.bad(rec, DeadLetters.Reason.BAD_RECORD, "a recorded batch (views=replay) on a "
                            + "topic: only student.replay trains on recordings");
                }
                f = ReplayViews.restore(arrived, source);
            }
            RecordKind expected = config.mode() == StudentConfig.Mode.DISTILL ? RecordKind.ANNOTATED_BATCH
                    : RecordKind.AUGMENTED_BATCH;
            if (f.kind() != expected) {
                return Decoded.bad(rec, DeadLetters.Reason.BAD_RECORD, "unexpected " + f.kind() + " record; the "
                        + "student in " + config.mode() + " mode trains on " + expected);
            }
            AugmentedBatch batch;
            float[] logits = null;
            String teacher = null;
            boolean expectedTeacher = true;
            if (expected == RecordKind.ANNOTATED_BATCH) {
                AnnotatedBatch a = AnnotatedBatch.fromFrame(f);
                batch = a.batch();
                logits = a.teacherLogits();
                teacher = a.teacherId() + "@" + a.teacherVersion();
                if (!config.teachers().weights().isEmpty() && !a.memberIds().isEmpty()) {
                    try { // the student's own weighting of the ensemble's members
                        logits = config.teachers().weigh(a.memberIds(), a.memberLogits(), a.batch().size(),
                                a.batch().numClasses(), config.options().temperature());
                    } catch (IllegalArgumentException e) {
                        return Decoded.bad(rec, DeadLetters.Reason.BAD_CONTENT, "batch " + a.batch().key() + ": "
                                + e.getMessage() + "; name them in student.teacher-weights");
                    }
                }
                expectedTeacher = config.teachers().expects(a.teacherId(), a.teacherVersion());
                if (!allFinite(logits)) {
                    return Decoded.bad(rec, DeadLetters.Reason.BAD_CONTENT, "batch " + batch.key() + " carries NaN "
                            + "or infinite teacher logits from " + teacher + "; check that teacher");
                }
            } else {
                batch = AugmentedBatch.fromFrame(f);
            }
            if (batch.numClasses() != config.spec().classes()) {
                return Decoded.bad(rec, DeadLetters.Reason.BAD_CONTENT, "batch " + batch.key() + " has "
                        + batch.numClasses() + " classes, the student " + config.spec().classes());
            }
            if (batch.hasRecipe()) { // view records: render the student's view (checked against the teacher's)
                batch = renderer.renderStudent(batch);
            }
            return new Decoded(rec, null, batch, logits, teacher, expectedTeacher, null, null, arrived);
        } catch (RenderException e) {
            return Decoded.bad(rec, DeadLetters.Reason.BAD_CONTENT, e.getMessage());
        } catch (WireFormatException e) {
            return Decoded.bad(rec, DeadLetters.Reason.BAD_RECORD, e.getMessage());
        }
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }
}
