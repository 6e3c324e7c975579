package io.kdstream.student;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file the student only appends to, kept in step with its checkpoints: each checkpoint records the file's length
 * ({@link #sync}), and a resumed run cuts it back to that length ({@link #open}), since what was appended after the
 * checkpoint went with the weights that were lost. Writes go straight to the file (a process killed loses nothing
 * written); {@link #sync} forces them to disk. Not interruptible (a {@code FileChannel} closes itself when its thread
 * is interrupted, as Reactor does on cancel). Used on one thread.
 */
final class AppendOnlyFile implements Closeable {
    private final Path file;
    private RandomAccessFile raf;
    private long length;

    AppendOnlyFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /** Opens the file cut back to {@code length} bytes (0: a new run). */
    void open(long length) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            raf = new RandomAccessFile(file.toFile(), "rw");
            long size = raf.length();
            if (size < length) {
                throw new IllegalStateException(file + " holds " + size + " bytes, fewer than the " + length
                        + " its checkpoint recorded: it was cut or replaced; restore it, or set student.resume=false "
                        + "to start the run again");
            }
            raf.setLength(length);
            raf.seek(length);
            this.length = length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends bytes. */
    void append(byte[] bytes) {
        try {
            raf.write(bytes);
            length += bytes.length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Forces what was written to disk; returns the length to record in a checkpoint. */
    long sync() {
        try {
            raf.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return length;
    }

    @Override
    public void close() {
        if (raf != null) {
            try {
                raf.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
