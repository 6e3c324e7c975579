package io.kdstream.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log lines written while a progress block is redrawn stay readable: the bytes a terminal would receive are rendered
 * by a VT100 emulator (Debian's python3-pyte) and every log line must be on the screen once, in order, above the
 * block.
 */
class TerminalTest {
    @TempDir
    Path tmp;

    @Test
    void shouldKeepEveryLogLineAboveTheProgressBlock() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream raw = new PrintStream(screen, true, StandardCharsets.UTF_8);
        Terminal t = new Terminal(raw);
        PrintStream out = t.stream(raw);
        PrintStream err = t.stream(raw);
        List<String> logged = new ArrayList<>();
        for (int epoch = 1; epoch <= 22; epoch++) {
            t.block(List.of("loader: epoch " + epoch, "augmenter: epoch " + epoch, "student: epoch " + epoch));
            String a = "demo: epoch " + epoch + " top-1 " + (60 + epoch) + ".0%";
            out.println(a);
            logged.add(a);
            String b = "12:00:" + epoch + " [WARN] log line " + epoch;
            err.print(b.substring(0, 5)); // a line written in pieces is still one line
            err.println(b.substring(5));
            logged.add(b);
            t.block(List.of("loader: epoch " + epoch + " done", "augmenter: epoch " + epoch + " done",
                    "student: epoch " + epoch + " done"));
        }
        t.block(List.of());
        out.println("summary:");
        logged.add("summary:");

        List<String> rendered = render(screen.toByteArray(), 120, 200);
        assertEquals(logged, rendered, "the screen holds every log line once, in order, and no progress line");
    }

    @Test
    void shouldDrawTheBlockBelowTheLastLogLine() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream raw = new PrintStream(screen, true, StandardCharsets.UTF_8);
        Terminal t = new Terminal(raw);
        PrintStream out = t.stream(raw);
        out.println("first");
        t.block(List.of("progress a", "progress b"));
        out.println("second");
        t.block(List.of("progress c", "progress d"));
        assertEquals(List.of("first", "second", "progress c", "progress d"), render(screen.toByteArray(), 80, 24));
    }

    @Test
    void shouldWriteAPartialLineWhenFlushed() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream raw = new PrintStream(screen, true, StandardCharsets.UTF_8);
        Terminal t = new Terminal(raw);
        PrintStream out = t.stream(raw);
        out.print("no line end");
        out.flush();
        assertEquals(List.of("no line end"), render(screen.toByteArray(), 80, 24));
    }

    /** The non-empty lines of the screen a VT100 terminal shows after receiving {@code bytes}. */
    private List<String> render(byte[] bytes, int columns, int rows) throws IOException, InterruptedException {
        Path in = tmp.resolve("screen.bin");
        Files.write(in, bytes);
        Path script = tmp.resolve("render.py");
        Files.writeString(script, """
                import sys, pyte
                screen = pyte.Screen(int(sys.argv[2]), int(sys.argv[3]))
                stream = pyte.Stream(screen)
                data = open(sys.argv[1], 'rb').read().decode('utf-8').replace('\\n', '\\r\\n')
                stream.feed(data)
                for line in screen.display:
                    if line.strip():
                        print(line.rstrip())
                """);
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process p = new ProcessBuilder(python, script.toString(), in.toString(), Integer.toString(columns),
                Integer.toString(rows)).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), "the VT100 emulator (python3-pyte) failed: " + text);
        return text.lines().toList();
    }
}
