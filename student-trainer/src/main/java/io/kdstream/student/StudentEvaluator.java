package io.kdstream.student;

import ai.djl.Device;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.models.LogitsFunction;
import io.kdstream.models.Network;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The student's evaluation: the test split loaded once, and the evaluation teacher's logits on it computed once, so
 * each evaluation is one forward pass of the student. Runs on the student's DJL thread.
 */
final class StudentEvaluator {
    /** Test images evaluated per forward pass. */
    private static final int CHUNK = 500;
    private final Evaluation.Split test;
    private final float[] teacherLogits;
    private final int classes;

    /**
     * @param dataset the test split
     * @param size    the student's input side
     * @param classes K
     * @param teacher {@code student.eval-teacher}, or empty
     * @param device  where to run the teacher
     */
    StudentEvaluator(Dataset dataset, int size, int classes, Optional<Path> teacher, Device device) {
        this.test = Evaluation.load(dataset, size, CHUNK);
        this.classes = classes;
        if (teacher.isPresent()) {
            try (Network t = Network.load(teacher.get(), device)) {
                teacherLogits = Evaluation.logits(t, Evaluation.load(dataset, t.spec().size(), CHUNK));
            }
        } else {
            teacherLogits = null;
        }
    }

    /** The student's top-1 and, with an evaluation teacher, the teacher's, their agreement and KL. */
    EvalResult evaluate(LogitsFunction student, int epoch) {
        float[] z = Evaluation.logits(student, test);
        double top1 = Evaluation.top1(z, test.labels(), classes);
        if (teacherLogits == null) {
            return new EvalResult(epoch, top1, Double.NaN, Double.NaN, Double.NaN);
        }
        return new EvalResult(epoch, top1, Evaluation.top1(teacherLogits, test.labels(), classes),
                Evaluation.agreement(teacherLogits, z, classes), Evaluation.kl(teacherLogits, z, classes, 1));
    }
}
