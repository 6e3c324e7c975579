package io.kdstream.student;

import ai.djl.Device;
import io.kdstream.core.config.ConfigException;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.models.LoadedModel;
import io.kdstream.models.LogitsFunction;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The student's evaluation: the test split loaded once, and the evaluation teacher's logits on it computed once, so
 * each evaluation is one forward pass of the student. Runs on the student's DJL thread.
 */
final class StudentEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(StudentEvaluator.class);
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
    StudentEvaluator(Dataset dataset, int size, int classes, Optional<StudentConfig.EvalTeacher> teacher,
                     Device device) {
        this.test = Evaluation.load(dataset, size, CHUNK);
        this.classes = classes;
        if (teacher.isPresent()) {
            Path file = teacher.get().path();
            try (LoadedModel t = LoadedModel.open(file, teacher.get().input(), device, "student.eval-teacher")) {
                if (t.classes() != classes) {
                    throw new ConfigException("setting student.eval-teacher=" + file + " predicts " + t.classes()
                            + " classes but the data has " + classes + "; compare with a teacher of the same classes");
                }
                teacherLogits = Evaluation.logits(t, Evaluation.load(dataset, t.inputSize(), CHUNK));
            }
            LOG.info("student: compared at each evaluation with teacher {} ({})", file.getFileName(), file);
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
