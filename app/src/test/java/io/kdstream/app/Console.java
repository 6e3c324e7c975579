package io.kdstream.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/** Test helper: runs a command with {@code System.out} and {@code System.err} captured. */
public final class Console {
    /** A command's exit code and what it printed. */
    public record Result(int code, String out, String err) {
    }

    private Console() {
    }

    public static Result run(IntSupplier command) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = command.getAsInt();
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
