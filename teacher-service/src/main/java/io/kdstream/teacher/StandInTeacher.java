package io.kdstream.teacher;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.wire.View;
import io.kdstream.models.LogitsFunction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

/**
 * A stand-in for a GPU teacher, to measure how annotation scales with replicas on a machine without GPUs
 * ({@code kdstream bench scale}): each forward pass takes a fixed time per batch, as a GPU's does, while using almost
 * no CPU, and returns all-zero logits (uniform predictions). A model directory is a stand-in when it holds
 * {@value #FILE} with {@code latency-ms} (per batch) and {@code classes}; never a teacher to distil from.
 */
public final class StandInTeacher implements LogitsFunction {
    /** The file that marks a stand-in model directory. */
    static final String FILE = "stand-in.properties";

    private final long latencyNanos;
    private final int classes;

    StandInTeacher(double latencyMs, int classes) {
        ConfigException.require(latencyMs >= 0, "latency-ms", latencyMs, "must be >= 0");
        ConfigException.require(classes >= 2, "classes", classes, "must be >= 2");
        this.latencyNanos = (long) (latencyMs * 1e6);
        this.classes = classes;
    }

    /** Whether {@code dir} is a stand-in model directory. */
    static boolean isStandIn(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /** Reads a stand-in model directory. */
    static StandInTeacher load(Path dir) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(FILE))) {
            p.load(in);
            return new StandInTeacher(Double.parseDouble(p.getProperty("latency-ms", "50")),
                    Integer.parseInt(p.getProperty("classes", "10")));
        } catch (IOException | NumberFormatException e) {
            throw new ConfigException("cannot read the stand-in teacher " + dir.resolve(FILE) + ": " + e
                    + "; it needs latency-ms=<per batch> and classes=<K>");
        }
    }

    /** Writes a stand-in model directory. */
    public static void write(Path dir, double latencyMs, int classes) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(FILE), "# a stand-in teacher: a fixed time per batch, zero logits\nlatency-ms="
                + latencyMs + "\nclasses=" + classes + "\n");
    }

    @Override
    public float[] logits(View view) {
        long end = System.nanoTime() + latencyNanos;
        for (long left = latencyNanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
        return new float[view.count() * classes];
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public int inputSize() {
        return 0; // any: the stand-in never looks at the pixels
    }
}
