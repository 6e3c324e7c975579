package io.kdstream.app.lab;

import io.kdstream.app.Kdstream;
import io.kdstream.core.config.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code kdstream} command in a JVM of its own, as in a cluster, its output appended to {@code <dir>/<name>.log};
 * the fault suite kills and restarts these.
 *
 * @param name    the log's name, e.g. {@code teacher-2}
 * @param process the JVM
 */
record ChildProcess(String name, Process process) {
    /** Starts {@code kdstream ARGS} with the classpath of this JVM and none of its {@code KDS_} variables. */
    static ChildProcess start(Path dir, String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dkdstream.home=" + System.getProperty("kdstream.home", "."),
                "-cp", System.getProperty("java.class.path"), Kdstream.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith(Settings.ENV_PREFIX));
        return new ChildProcess(name, pb.start());
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no commit, no goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL after 20 s. */
    void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
