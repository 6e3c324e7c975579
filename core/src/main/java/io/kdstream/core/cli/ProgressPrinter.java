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
 * Prints one status line per stage: redrawn in place on a terminal, a block of lines every interval otherwise (logs,
 * CI), and a summary table at the end.
 */
public final class ProgressPrinter implements AutoCloseable {
    private final PrintStream out;
    private final Scheduler scheduler;
    private final Duration interval;
    private final boolean interactive;
    private final List<Progress> items;
    private Disposable ticking;
    private int drawn;

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

    /** Prints the current lines now: one per stage. */
    public synchronized void print() {
        List<String> lines = new ArrayList<>();
        items.forEach(p -> lines.add(p.render()));
        if (interactive) {
            StringBuilder sb = new StringBuilder();
            if (drawn > 0) {
                sb.append("\033[").append(drawn).append('A'); // back to the first line of the last drawing
            }
            for (String line : lines) {
                sb.append('\r').append(line).append("\033[K\n");
            }
            out.print(sb);
            drawn = lines.size();
        } else {
            lines.forEach(out::println);
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
        out.println("summary:");
        items.forEach(p -> out.println("  " + p.summary()));
        out.flush();
    }
}
