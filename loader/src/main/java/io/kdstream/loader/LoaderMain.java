package io.kdstream.loader;

import io.kdstream.core.cli.ServiceMain;
import java.util.List;

/** {@code kdstream run loader}: runs the loader until its epochs are published. */
public final class LoaderMain {
    private LoaderMain() {
    }

    public static void main(String[] args) {
        System.exit(ServiceMain.run(Loader.STAGE, List.of(args), System.getenv(), Loader::fromSettings));
    }
}
