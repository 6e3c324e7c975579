package io.kdstream.student;

import java.util.Locale;

/**
 * One evaluation on the test split.
 *
 * @param epoch       epochs completed
 * @param studentTop1 the student's top-1
 * @param teacherTop1 the teacher's top-1, NaN without an evaluation teacher
 * @param agreement   fraction of test images where student and teacher agree, NaN without one
 * @param kl          mean KL(teacher || student) at T = 1, NaN without one
 */
public record EvalResult(int epoch, double studentTop1, double teacherTop1, double agreement, double kl) {
    /** One line: {@code student top-1 81.20%, teacher top-1 85.80%, agreement 88.00%, KL 0.1200}. */
    public String describe() {
        String s = String.format(Locale.ROOT, "student top-1 %.2f%%", 100 * studentTop1);
        if (!Double.isNaN(teacherTop1)) {
            s += String.format(Locale.ROOT, ", teacher top-1 %.2f%%, agreement %.2f%%, KL %.4f", 100 * teacherTop1,
                    100 * agreement, kl);
        }
        return s;
    }
}
