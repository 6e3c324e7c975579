package io.kdstream.student;

import io.kdstream.core.cli.ServiceMain;
import java.util.List;

/** {@code kdstream run student}: trains until the last epoch's markers arrive, then saves the model. */
public final class StudentMain {
    private StudentMain() {
    }

    public static void main(String[] args) {
        System.exit(ServiceMain.run(StudentTrainer.STAGE, List.of(args), System.getenv(),
                StudentTrainer::fromSettings));
    }
}
