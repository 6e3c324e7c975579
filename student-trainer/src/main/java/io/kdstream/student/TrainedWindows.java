package io.kdstream.student;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The de-duplication state of a student run, bounded: per epoch and source partition, the highest batch sequence up
 * to which every batch was trained (a watermark) and the few trained above it. A partition's batches arrive in
 * order, so the set above the watermark stays small (a batch dead-lettered instead of trained holds it up until the
 * epoch ends), and an epoch's windows are dropped once every partition has ended it: any batch of an ended epoch is
 * one the student has seen. Its size is what the run holds for incomplete epochs only, whatever the run's length.
 */
final class TrainedWindows {
    private static final class Window {
        private long watermark = -1;
        private final TreeSet<Long> above = new TreeSet<>();

        void add(long seq) {
            if (seq <= watermark) {
                return;
            }
            above.add(seq);
            while (above.remove(watermark + 1)) {
                watermark++;
            }
        }

        boolean contains(long seq) {
            return seq <= watermark || above.contains(seq);
        }
    }

    private static final Pattern BATCH_ID = Pattern.compile("e(\\d+)-p(\\d+)-b(\\d+)");
    private final Map<Long, Window> windows = new HashMap<>();

    private static long id(int epoch, int partition) {
        return ((long) epoch << 32) | (partition & 0xffffffffL);
    }

    boolean contains(int epoch, int partition, long seq) {
        Window w = windows.get(id(epoch, partition));
        return w != null && w.contains(seq);
    }

    void add(int epoch, int partition, long seq) {
        windows.computeIfAbsent(id(epoch, partition), k -> new Window()).add(seq);
    }

    /** Forgets the windows of epochs before {@code epoch} (every partition has ended them). */
    void dropBefore(int epoch) {
        windows.keySet().removeIf(k -> (int) (k >>> 32) < epoch);
    }

    /** An independent copy (the state a checkpoint saves while training goes on). */
    TrainedWindows copy() {
        TrainedWindows t = new TrainedWindows();
        windows.forEach((k, w) -> {
            Window c = new Window();
            c.watermark = w.watermark;
            c.above.addAll(w.above);
            t.windows.put(k, c);
        });
        return t;
    }

    /** Sequences held: windows plus the sequences above their watermarks (what the state costs). */
    int size() {
        return windows.values().stream().mapToInt(w -> 1 + w.above.size()).sum();
    }

    /** One line per window: {@code epoch partition watermark [seq,seq...]}, for a checkpoint. */
    List<String> encode() {
        List<String> out = new ArrayList<>();
        windows.forEach((k, w) -> {
            StringBuilder b = new StringBuilder().append((int) (k >>> 32)).append(' ').append((int) (long) k)
                    .append(' ').append(w.watermark);
            if (!w.above.isEmpty()) {
                b.append(' ');
                w.above.forEach(s -> b.append(s).append(','));
                b.setLength(b.length() - 1);
            }
            out.add(b.toString());
        });
        out.sort(null);
        return out;
    }

    /** Windows rebuilt from batch ids {@code e<epoch>-p<partition>-b<seq>}. */
    static TrainedWindows fromIds(java.util.Collection<String> ids) {
        TrainedWindows t = new TrainedWindows();
        for (String id : ids) {
            Matcher m = BATCH_ID.matcher(id);
            if (m.matches()) {
                t.add(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)));
            }
        }
        return t;
    }

    /** The windows {@link #encode()} wrote. */
    static TrainedWindows decode(List<String> lines) {
        TrainedWindows t = new TrainedWindows();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            Window w = new Window();
            w.watermark = Long.parseLong(f[2]);
            if (f.length > 3) {
                for (String s : f[3].split(",")) {
                    w.above.add(Long.parseLong(s));
                }
            }
            t.windows.put(id(Integer.parseInt(f[0]), Integer.parseInt(f[1])), w);
        }
        return t;
    }
}
