package io.kdstream.app;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Preset;
import io.kdstream.core.config.Settings;
import io.kdstream.loader.dataset.DatasetException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** {@code kdstream demo [--smoke]} and {@code kdstream train-teacher}. */
public final class DemoCommand {
    private DemoCommand() {
    }

    /** Where the shipped test data lives: -Dkdstream.testdata, else testdata/ under -Dkdstream.home or the cwd. */
    public static Path testdata() {
        String explicit = System.getProperty("kdstream.testdata");
        return explicit != null ? Path.of(explicit)
                : Path.of(System.getProperty("kdstream.home", ".")).resolve("testdata");
    }

    static int run(List<String> args, Map<String, String> env, boolean teacherOnly) {
        List<String> positional = new ArrayList<>();
        Settings raw;
        try {
            raw = Preset.apply(Settings.parse(args, env, positional));
        } catch (ConfigException e) {
            System.err.println("kdstream demo: " + e.getMessage());
            return 2;
        }
        boolean smoke = raw.bool(Keys.SMOKE);
        Settings s = smoke ? raw.withDefaults(Demo.smokeDefaults(testdata(), Demo.runDir("smoke")))
                .withDefaults(Demo.DEFAULTS) : raw.withDefaults(Demo.DEFAULTS);
        Scheduler ticker = Schedulers.newSingle("kds-progress", true);
        try {
            if (!positional.isEmpty()) {
                throw new ConfigException("unexpected argument(s) " + positional + "; settings are --key=value");
            }
            Demo.Result r = new Demo(s, System.out, ticker, SimpleMeterRegistry::new).run(teacherOnly);
            if (r != null) {
                Demo.print(r, System.out);
            }
            return 0;
        } catch (ConfigException | DatasetException e) {
            System.err.println("kdstream demo: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("kdstream demo failed: " + e.getMessage());
            e.printStackTrace(System.err);
            return 1;
        } finally {
            ticker.dispose();
        }
    }
}
