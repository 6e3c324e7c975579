package io.kdstream.app.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fault suite's start-up faults: a service given a model that does not load, or a misspelt setting, must stop at
 * once with a message that names the file or the setting.
 */
final class StartupFaults {
    private StartupFaults() {
    }

    /** An unloadable teacher model: the teacher service must stop at start-up with a message naming the file. */
    static FaultSuite.Row badModel(Path good, Path sdir, long t0) throws IOException, InterruptedException {
        Path model = Files.createDirectories(sdir.resolve("models/broken"));
        Files.copy(good.resolve("model.properties"), model.resolve("model.properties"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] params = Files.readAllBytes(good.resolve("model.params"));
        Files.write(model.resolve("model.params"), java.util.Arrays.copyOf(params, params.length / 3)); // truncated
        return failFast("bad-model", "teacher.model = a model whose model.params is truncated", sdir, t0,
                List.of("run", "teacher", "--teacher.model=" + model, "--kafka.bootstrap=127.0.0.1:"
                        + Probes.freePort()),
                model.toString());
    }

    /** A wrong setting: the service must stop at start-up with a message naming the setting. */
    static FaultSuite.Row badSetting(Path sdir, long t0) throws IOException, InterruptedException {
        return failFast("bad-setting", "--student.temprature=2 (misspelt flag)", sdir, t0,
                List.of("run", "student", "--dataset.test-limit=10", "--student.temprature=2"), "student.temprature");
    }

    private static FaultSuite.Row failFast(String fault, String injected, Path sdir, long t0, List<String> args,
                                           String mustName)
            throws IOException, InterruptedException {
        Path log = sdir.resolve(fault + ".log");
        long ts = System.nanoTime();
        Process p = ChildProcess.start(sdir, fault, args).process();
        boolean ended = p.waitFor(2, TimeUnit.MINUTES);
        String text = Files.readString(log);
        String outcome;
        if (!ended) {
            p.destroyForcibly();
            outcome = "NOT DETECTED: still running after 2 min";
        } else if (p.exitValue() == 0) {
            outcome = "NOT DETECTED: exit 0";
        } else if (!text.contains(mustName)) {
            outcome = "exit " + p.exitValue() + " but the message does not name " + mustName;
        } else {
            String line = text.lines().filter(l -> l.contains(mustName)).findFirst().orElse("");
            outcome = "failed fast, exit " + p.exitValue() + ": \"" + shorten(line, 110) + "\"";
        }
        String exit = String.format(java.util.Locale.ROOT, "%.1f s to exit", (System.nanoTime() - ts) / 1e9);
        return new FaultSuite.Row(fault, injected, -1, -1, -1, -1, -1, exit, outcome, "-",
                Duration.ofNanos(System.nanoTime() - t0));
    }

    private static String shorten(String s, int n) {
        String t = s.replace('|', '/').trim();
        return t.length() <= n ? t : t.substring(0, n) + "...";
    }
}
