package io.kdstream.teacher;

import io.kdstream.core.cli.ServiceMain;
import java.util.List;

/** {@code kdstream run teacher}: annotates augmented batches until the last epoch is through. */
public final class TeacherMain {
    private TeacherMain() {
    }

    public static void main(String[] args) {
        System.exit(ServiceMain.run(TeacherService.STAGE, List.of(args), System.getenv(), TeacherService::fromSettings));
    }
}
