package io.kdstream.core;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Live progress of one stage: items done out of an optional total, a smoothed rate, an ETA and a free-form status
 * (epoch, loss). Thread-safe; rendered by {@link io.kdstream.core.cli.ProgressPrinter}.
 */
public final class Progress {
    private final String stage;
    private final String unit;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong total = new AtomicLong(-1);
    private final AtomicReference<String> status = new AtomicReference<>("");
    private final long startNanos = System.nanoTime();
    private volatile long finishedNanos;
    private long lastNanos = startNanos;
    private long lastDone;
    private double rate = Double.NaN;

    /**
     * @param stage the stage name shown first on the line
     * @param unit  the unit counted, e.g. {@code img}
     */
    public Progress(String stage, String unit) {
        this.stage = stage;
        this.unit = unit;
    }

    public String stage() {
        return stage;
    }

    /** Adds finished items. */
    public void add(long n) {
        done.addAndGet(n);
    }

    public long done() {
        return done.get();
    }

    /** The expected total, or -1 when unbounded. */
    public void total(long n) {
        total.set(n);
    }

    /** A short status such as {@code epoch 2/5} or {@code loss 0.412}. */
    public void status(String s) {
        status.set(s);
    }

    /** Marks the stage finished; the rate in the summary then covers start to finish. */
    public void finish() {
        if (finishedNanos == 0) {
            finishedNanos = System.nanoTime();
        }
    }

    /** Time from creation to {@link #finish()} or now. */
    public Duration elapsed() {
        long end = finishedNanos != 0 ? finishedNanos : System.nanoTime();
        return Duration.ofNanos(end - startNanos);
    }

    /** Mean rate from start to finish (or now), items per second. */
    public double meanRate() {
        double s = elapsed().toNanos() / 1e9;
        return s > 0 ? done.get() / s : 0;
    }

    /** One line: {@code augmenter 12.3k/60.0k img 2.10k img/s ETA 0:23 epoch 1/3}. */
    public synchronized String render() {
        long now = System.nanoTime();
        long d = done.get();
        double dt = (now - lastNanos) / 1e9;
        if (dt >= 0.25) {
            double r = (d - lastDone) / dt;
            rate = Double.isNaN(rate) ? r : 0.5 * rate + 0.5 * r;
            lastNanos = now;
            lastDone = d;
        }
        long t = total.get();
        StringBuilder sb = new StringBuilder(stage).append(' ').append(si(d));
        if (t > 0) {
            sb.append('/').append(si(t));
        }
        sb.append(' ').append(unit);
        double shown = finishedNanos != 0 ? meanRate() : rate;
        if (!Double.isNaN(shown)) {
            sb.append(' ').append(si(shown)).append(' ').append(unit).append("/s");
        }
        if (t > 0 && finishedNanos == 0 && rate > 0 && d < t) {
            sb.append(" ETA ").append(clock((long) ((t - d) / rate)));
        }
        String s = status.get();
        if (!s.isEmpty()) {
            sb.append(' ').append(s);
        }
        return sb.toString();
    }

    /** The end-of-run line: count, time and mean rate. */
    public String summary() {
        return String.format(Locale.ROOT, "%-10s %12d %s in %8.1f s = %10.1f %s/s %s", stage, done.get(), unit,
                elapsed().toMillis() / 1000.0, meanRate(), unit, status.get());
    }

    /** 1234 -> 1.23k, 2500000 -> 2.50M. */
    public static String si(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.2fk", v / 1e3);
        }
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Seconds as m:ss or h:mm:ss. */
    public static String clock(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }
}
