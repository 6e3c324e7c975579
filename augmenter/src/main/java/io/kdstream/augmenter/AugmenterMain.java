package io.kdstream.augmenter;

import io.kdstream.core.cli.ServiceMain;
import java.util.List;

/** {@code kdstream run augmenter}: runs the augmenter until the loader's last epoch is through. */
public final class AugmenterMain {
    private AugmenterMain() {
    }

    public static void main(String[] args) {
        System.exit(ServiceMain.run(Augmenter.STAGE, List.of(args), System.getenv(), Augmenter::fromSettings));
    }
}
