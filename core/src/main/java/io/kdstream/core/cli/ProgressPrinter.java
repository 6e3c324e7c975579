package io.kdstream.core.cli;

import io.kdstream.core.Progress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Prints one status line for a set of stages: rewritten in place ({@code \r}) on a terminal, a new line every
 * interval otherwise (logs, CI), and a summary table at the end.
 */
public final class ProgressPrinter implements AutoCloseable {
    private final PrintStream out;
    private final Scheduler scheduler;
    private final Duration interval;
    private final boolean interactive;
    private final List<Progress> items;
    private Disposable ticking;
    private int lastWidth;

    /**
     * @param out         where to print (stderr, usually)
     * @param scheduler   the scheduler that ticks; owned by the caller
     * @param interval    time between lines
     * @param interactive true to rewrite one line in place
     * @param items       the stages to show
     */
    public ProgressPrinter(PrintStream out, Scheduler scheduler, Duration interval, boolean interactive,
                           List<Progress> items) {
        this.out = out;
        this.scheduler = scheduler;
        this.interval = interval;
        this.interactive = interactive;
        this.items = List.copyOf(items);
    }

    /** For a run from a shell: in place on a terminal every second, else a line every ten seconds. */
    public static ProgressPrinter forConsole(Scheduler scheduler, List<Progress> items) {
        boolean tty = System.console() != null;
        return new ProgressPrinter(System.err, scheduler, Duration.ofSeconds(tty ? 1 : 10), tty, items);
    }

    /** Starts ticking. */
    public ProgressPrinter start() {
        ticking = scheduler.schedulePeriodically(this::print, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** Prints the current line now. */
    public synchronized void print() {
        StringJoiner j = new StringJoiner(" | ");
        items.forEach(p -> j.add(p.render()));
        String line = j.toString();
        if (interactive) {
            String pad = line.length() < lastWidth ? " ".repeat(lastWidth - line.length()) : "";
            out.print("\r" + line + pad);
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Stops ticking and prints the final line and the summary table. */
    @Override
    public synchronized void close() {
        if (ticking != null) {
            ticking.dispose();
        }
        print();
        if (interactive) {
            out.println();
        }
        out.println("summary:");
        items.forEach(p -> out.println("  " + p.summary()));
        out.flush();
    }
}
