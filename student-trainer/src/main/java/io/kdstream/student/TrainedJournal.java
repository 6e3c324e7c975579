package io.kdstream.student;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ids of the batches the student trained, one a line, appended to {@code <out>/trained-batches.txt} as each is
 * trained: the list an audit compares with what was produced. Every checkpoint records the journal's length, and a
 * resumed run cuts it back to the length of the checkpoint it resumes from (the batches trained after it were lost
 * with the weights and are trained again), so the file always lists what the current weights were trained on. It
 * lives on disk only (a line a batch, written at once, forced to disk with each checkpoint): a run that never ends
 * keeps none of it in memory. Used on the student's DJL thread.
 */
final class TrainedJournal implements Closeable {
    /** The file, in the run's output directory. */
    static final String FILE = "trained-batches.txt";

    private final AppendOnlyFile file;

    /** @param out the run's output directory */
    TrainedJournal(Path out) {
        this.file = new AppendOnlyFile(out.resolve(FILE));
    }

    /**
     * Opens the journal, cut back to {@code length} bytes: 0 for a new run, a checkpoint's
     * {@link Checkpoints.State#journalBytes()} for a resumed one.
     */
    void open(long length) {
        file.open(length);
    }

    /** Appends a trained batch's id. */
    void append(String id) {
        file.append((id + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Forces what was written to disk; returns the length to record in a checkpoint. */
    long sync() {
        return file.sync();
    }

    /** The ids in the first {@code length} bytes of the journal in {@code out}, in training order. */
    static List<String> read(Path out, long length) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(out.resolve(FILE))) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, length));
        }
        List<String> ids = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                ids.add(line);
            }
        }
        return ids;
    }

    /** Writes a journal of {@code ids} (a checkpoint of an earlier version, which listed them itself). */
    static long write(Path out, List<String> ids) throws IOException {
        StringBuilder b = new StringBuilder();
        ids.forEach(id -> b.append(id).append('\n'));
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        Files.write(out.resolve(FILE), bytes);
        return bytes.length;
    }

    @Override
    public void close() {
        file.close();
    }
}
