package io.kdstream.core.cli;

import io.kdstream.core.Progress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Prints one status line per stage: on a terminal a block redrawn in place below the log ({@link Terminal}), a block
 * of lines every interval otherwise (logs, CI), and a summary table at the end.
 */
public final class ProgressPrinter implements AutoCloseable {
    private final PrintStream out;
    private final Scheduler scheduler;
    private final Duration interval;
    private final Terminal terminal;
    private final List<Progress> items;
    private Disposable ticking;

    /**
     * @param out       where to print (stderr, usually)
     * @param scheduler the scheduler that ticks; owned by the caller
     * @param interval  time between lines
     * @param terminal  the terminal to redraw the block on, or null to print blocks of lines
     * @param items     the stages to show
     */
    public ProgressPrinter(PrintStream out, Scheduler scheduler, Duration interval, Terminal terminal,
                           List<Progress> items) {
        this.out = out;
        this.scheduler = scheduler;
        this.interval = interval;
        this.terminal = terminal;
        this.items = List.copyOf(items);
    }

    /** For a run from a shell: in place on a terminal every second, else a block every ten seconds. */
    public static ProgressPrinter forConsole(Scheduler scheduler, List<Progress> items) {
        Terminal t = Terminal.of(System.err).orElse(null);
        return new ProgressPrinter(System.err, scheduler, Duration.ofSeconds(t != null ? 1 : 10), t, items);
    }

    /** Starts ticking. */
    public ProgressPrinter start() {
        ticking = scheduler.schedulePeriodically(this::print, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** Prints the current lines now: one per stage. */
    public synchronized void print() {
        List<String> lines = new ArrayList<>();
        items.forEach(p -> lines.add(p.render()));
        if (terminal != null) {
            terminal.block(lines);
        } else {
            lines.forEach(out::println);
            out.flush();
        }
    }

    /** Stops ticking and prints the final lines and the summary table, which stay in the log. */
    @Override
    public synchronized void close() {
        if (ticking != null) {
            ticking.dispose();
        }
        if (terminal != null) {
            terminal.block(List.of());
        }
        items.forEach(p -> out.println(p.render()));
        out.println("summary:");
        items.forEach(p -> out.println("  " + p.summary()));
        out.flush();
    }
}
