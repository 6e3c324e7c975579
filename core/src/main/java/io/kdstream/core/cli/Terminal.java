package io.kdstream.core.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A terminal shared by log lines and a progress block redrawn in place below them. Every line written to standard
 * output or standard error goes through {@link #line}: the block is erased, the line written, and the block drawn
 * again under it, so a log line never lands inside the block and a redraw never moves the cursor up over a log line.
 * {@link #install()} puts its streams in place of {@code System.out} and {@code System.err} when the process runs on a
 * terminal; a {@link ProgressPrinter} finds it there ({@link #of(PrintStream)}).
 */
public final class Terminal {
    private final PrintStream screen;
    private final Object lock = new Object();
    private List<String> block = List.of();
    private int drawn;

    /** @param screen the terminal itself (the process's original standard error) */
    public Terminal(PrintStream screen) {
        this.screen = screen;
    }

    /**
     * On a terminal, replaces {@code System.out} and {@code System.err} with streams that write whole lines through a
     * new terminal; elsewhere (a pipe, a file, CI) changes nothing.
     */
    public static void install() {
        if (System.console() == null || System.err instanceof LineStream) {
            return;
        }
        Terminal t = new Terminal(System.err);
        System.setOut(t.stream(System.out));
        System.setErr(t.stream(System.err));
    }

    /** The terminal behind a stream, when it is one of a terminal's streams. */
    public static Optional<Terminal> of(PrintStream stream) {
        return stream instanceof LineStream ls ? Optional.of(ls.terminal) : Optional.empty();
    }

    /** A stream that writes each complete line to {@code target} through this terminal. */
    public PrintStream stream(PrintStream target) {
        return new LineStream(this, target);
    }

    /** Writes one line (with its line end) to {@code target} above the progress block. */
    void line(PrintStream target, byte[] bytes, int length) {
        synchronized (lock) {
            erase();
            target.write(bytes, 0, length);
            target.flush();
            draw();
        }
    }

    /** Replaces the progress block (no lines: removes it). */
    public void block(List<String> lines) {
        synchronized (lock) {
            erase();
            block = List.copyOf(lines);
            draw();
        }
    }

    private void erase() {
        if (drawn > 0) {
            screen.print("\033[" + drawn + "A\r\033[J"); // to the block's first line, then clear to the screen's end
            drawn = 0;
        }
    }

    private void draw() {
        StringBuilder sb = new StringBuilder();
        for (String l : block) {
            sb.append(l).append("\033[K\n");
        }
        screen.print(sb);
        screen.flush();
        drawn = block.size();
    }

    /** Collects bytes until a line end, then writes the line through the terminal. */
    private static final class LineStream extends PrintStream {
        private final Terminal terminal;

        LineStream(Terminal terminal, PrintStream target) {
            super(new LineBuffer(terminal, target), false, StandardCharsets.UTF_8); // flush() writes a partial line
            this.terminal = terminal;
        }
    }

    private static final class LineBuffer extends OutputStream {
        private final Terminal terminal;
        private final PrintStream target;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        LineBuffer(Terminal terminal, PrintStream target) {
            this.terminal = terminal;
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            pending.write(b);
            if (b == '\n') {
                terminal.line(target, pending.toByteArray(), pending.size());
                pending.reset();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        /** Writes a partial line too (a prompt, or the last words before the process exits). */
        @Override
        public synchronized void flush() {
            if (pending.size() > 0) {
                terminal.line(target, pending.toByteArray(), pending.size());
                pending.reset();
            }
        }
    }
}
