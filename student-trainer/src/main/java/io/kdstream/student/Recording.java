package io.kdstream.student;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.image.RenderException;
import io.kdstream.core.image.ReplayViews;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.wire.Frame;
import io.kdstream.core.wire.FrameCodec;
import io.kdstream.loader.dataset.BadImageException;
import io.kdstream.loader.dataset.Dataset;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.publisher.Flux;

/**
 * A student run's recording ({@code student.record}): every record the student trained on or that ended an epoch,
 * in the order it took them, with the teacher's logits but without pixels ({@link ReplayViews#strip}), so that
 * another student can be trained on exactly the same stream with no broker and no teacher ({@code student.replay}).
 * A file that can be copied: a header line {@code kdstream-recording 1 dataset=NAME size=N classes=K}, then one entry
 * per record: key length (int32), key (UTF-8), frame length (int32), frame (docs/WIRE.md). Kept in step with the
 * checkpoints like the journal of trained ids: a resumed run cuts it back to its checkpoint.
 */
public final class Recording {
    /** The topic name replayed records carry (offsets in a checkpoint of a replaying run are under it). */
    public static final String TOPIC = "kds-replay";
    private static final String MAGIC = "kdstream-recording 1";

    /** What a recording was made from. */
    public record Header(String dataset, int size, int classes) {
        String line() {
            return MAGIC + " dataset=" + dataset.replace(' ', '_') + " size=" + size + " classes=" + classes + "\n";
        }

        /** Refuses a dataset other than the recording's, naming both. */
        void check(Path file, Dataset d) {
            if (d.size() != size || d.numClasses() != classes) {
                throw new ConfigException("setting student.replay=" + file + ": the recording was made from " + dataset
                        + " (" + size + " images, " + classes + " classes), but dataset.path gives " + d.name() + " ("
                        + d.size() + " images, " + d.numClasses() + " classes); replay with the dataset and "
                        + "dataset.limit of the recorded run");
            }
        }

        static Header of(Dataset d) {
            return new Header(d.name(), d.size(), d.numClasses());
        }
    }

    private Recording() {
    }

    /** Appends to a recording. */
    static final class Writer implements Closeable {
        private final AppendOnlyFile file;
        private final java.util.function.Supplier<Header> header;

        /** @param header what the recording is made from, asked for when a new recording starts */
        Writer(Path file, java.util.function.Supplier<Header> header) {
            this.file = new AppendOnlyFile(file);
            this.header = header;
        }

        /** Opens it cut back to {@code length} (0: a new recording, which starts with its header). */
        void open(long length) {
            file.open(length);
            if (length == 0) {
                file.append(header.get().line().getBytes(StandardCharsets.UTF_8));
            }
        }

        /** Appends a record: its pixels left out. */
        void append(String key, Frame frame) {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            byte[] v = FrameCodec.encode(ReplayViews.strip(frame));
            ByteArrayOutputStream b = new ByteArrayOutputStream(8 + k.length + v.length);
            try (DataOutputStream out = new DataOutputStream(b)) {
                out.writeInt(k.length);
                out.write(k);
                out.writeInt(v.length);
                out.write(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            file.append(b.toByteArray());
        }

        long sync() {
            return file.sync();
        }

        @Override
        public void close() {
            file.close();
        }
    }

    /** The images of a dataset by sample id (its index), for {@link ReplayViews#restore}. */
    public static ReplayViews.Source source(Dataset data) {
        return id -> {
            if (id < 0 || id >= data.size()) {
                throw new RenderException("sample " + id + " is not in " + data.name() + " (" + data.size()
                        + " images); replay with the dataset of the recorded run", null);
            }
            try {
                return data.read((int) id).image();
            } catch (BadImageException e) {
                throw new RenderException("sample " + id + " of " + data.name() + ": " + e.getMessage(), e);
            }
        };
    }

    /** Reads a recording's header. */
    public static Header header(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return readHeader(file, in);
        } catch (IOException e) {
            throw new ConfigException("setting student.replay=" + file + ": cannot read it (" + e.getMessage() + "); "
                    + "name a file a run wrote with student.record");
        }
    }

    private static Header readHeader(Path file, InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0 || line.size() > 4096) {
                throw new ConfigException("setting student.replay=" + file + " is not a kdstream recording (no header "
                        + "line); name a file a run wrote with student.record");
            }
            line.write(c);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        String[] parts = text.split(" ");
        if (!text.startsWith(MAGIC + " ") || parts.length != 5) {
            throw new ConfigException("setting student.replay=" + file + " is not a kdstream recording (header '"
                    + text + "'); name a file a run wrote with student.record");
        }
        try {
            return new Header(parts[2].substring("dataset=".length()), Integer.parseInt(parts[3].substring(5)),
                    Integer.parseInt(parts[4].substring(8)));
        } catch (RuntimeException e) {
            throw new ConfigException("setting student.replay=" + file + ": bad header '" + text + "'");
        }
    }

    /**
     * The recording's records in their order, from entry {@code from} (a resumed replay), as consumed records of
     * topic {@value #TOPIC}, partition 0, whose offset is the entry's index. Read lazily, as the student asks.
     */
    public static Flux<ReceivedRecord<String, byte[]>> replay(Path file, long from) {
        return Flux.using(() -> {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            readHeader(file, in);
            return in;
        }, in -> Flux.<ReceivedRecord<String, byte[]>, long[]>generate(() -> new long[1], (index, sink) -> {
            try {
                while (true) {
                    int kl;
                    try {
                        kl = in.readInt();
                    } catch (EOFException end) {
                        sink.complete();
                        return index;
                    }
                    if (kl < 0 || kl > 1024) {
                        throw new IOException("a key of " + kl + " bytes");
                    }
                    byte[] key = in.readNBytes(kl);
                    int vl = in.readInt();
                    if (vl < 0) {
                        throw new IOException("a record of " + vl + " bytes");
                    }
                    byte[] value = in.readNBytes(vl);
                    if (key.length != kl || value.length != vl) {
                        throw new EOFException("the file ends inside the entry");
                    }
                    long offset = index[0]++;
                    if (offset >= from) {
                        sink.next(ReceivedRecord.detached(new ConsumerRecord<>(TOPIC, 0, offset,
                                new String(key, StandardCharsets.UTF_8), value)));
                        return index;
                    }
                }
            } catch (IOException e) {
                sink.error(new IllegalStateException(String.format(Locale.ROOT, "recording %s is cut or corrupt at "
                        + "entry %d: %s", file, index[0], e.getMessage()), e));
            }
            return index;
        }), in -> {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
