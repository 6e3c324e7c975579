package io.kdstream.student;

import io.kdstream.student.train.StudentLoop;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;

/**
 * Checkpoints of a student run under {@code <out>/checkpoints/step-<n>/}, every file of them written and read here:
 * the student's parameters ({@code student.params}) and step and optimizer state ({@code optimizer.bin}, from
 * {@link StudentLoop#writeState}), {@code state.properties} (step, epochs completed, the next
 * offset to consume per partition, and the EPOCH_END markers already consumed for epochs not yet complete: a fast
 * partition can run epochs ahead of a slow one, and its markers lie before the saved offsets) and
 * {@code windows.txt} (what was trained, for de-duplication), the length of the run's {@link TrainedJournal} and the
 * batches trained per teacher version, so that a resumed run's summary counts the whole run. A
 * checkpoint becomes visible only once complete (written under a temporary name, then renamed), and the two newest
 * are kept, and the one written at the best evaluation so far ({@link #markBest}, named in {@code best.properties}),
 * which a roll-back after a fall in top-1 returns to.
 */
public final class Checkpoints {
    private static final String BEST = "best.properties";
    private final Path out;
    private final Path root;

    /**
     * The state saved with the parameters.
     *
     * @param step            optimizer steps taken
     * @param epochsCompleted epochs whose every partition has ended
     * @param offsets         next offset to consume per partition
     * @param journalBytes    the length of the {@link TrainedJournal} that lists the batches trained
     * @param markers         per incomplete epoch, the partitions whose EPOCH_END was consumed
     * @param teacherBatches  batches trained per teacher ({@code id@version}); empty in checkpoints written before
     *                        they were kept
     * @param windows         what was trained, for de-duplication (bounded: {@link TrainedWindows})
     * @param trainedTotal    batches trained in all
     * @param recordingBytes  the length of the run's {@link Recording}, or -1 when it records none
     */
    public record State(long step, int epochsCompleted, Map<TopicPartition, Long> offsets, long journalBytes,
                        Map<Integer, Set<Integer>> markers, Map<String, Long> teacherBatches, TrainedWindows windows,
                        long trainedTotal, long recordingBytes) {
        /** A state with nothing trained yet (tests). */
        public static State initial(long step) {
            return new State(step, 0, Map.of(), 0, Map.of(), Map.of(), new TrainedWindows(), 0, -1);
        }
    }

    /** @param out the run's output directory */
    public Checkpoints(Path out) {
        this.out = out;
        this.root = out.resolve("checkpoints");
    }

    /** Writes a checkpoint of the loop and the state. */
    public Path save(StudentLoop loop, State state) {
        Path dir = root.resolve("step-" + state.step());
        Path tmp = root.resolve(".tmp-step-" + state.step());
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            try (DataOutputStream params = output(tmp.resolve("student.params"));
                 DataOutputStream optimizer = output(tmp.resolve("optimizer.bin"))) {
                loop.writeState(params, optimizer);
            }
            Properties p = new Properties();
            p.setProperty("step", Long.toString(state.step()));
            p.setProperty("epochs.completed", Integer.toString(state.epochsCompleted()));
            state.offsets().forEach((tp, o) -> p.setProperty("offset." + tp.topic() + "." + tp.partition(),
                    Long.toString(o)));
            state.markers().forEach((e, parts) -> p.setProperty("markers." + e, parts.stream().sorted()
                    .map(String::valueOf).collect(java.util.stream.Collectors.joining(","))));
            state.teacherBatches().forEach((t, n) -> p.setProperty("teacher." + t, Long.toString(n)));
            p.setProperty("trained.total", Long.toString(state.trainedTotal()));
            p.setProperty("journal.bytes", Long.toString(state.journalBytes()));
            if (state.recordingBytes() >= 0) {
                p.setProperty("recording.bytes", Long.toString(state.recordingBytes()));
            }
            try (OutputStream os = Files.newOutputStream(tmp.resolve("state.properties"))) {
                p.store(os, "kdstream student checkpoint");
            }
            Files.write(tmp.resolve("windows.txt"), state.windows().encode(), StandardCharsets.UTF_8);
            deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            prune();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    private void prune() throws IOException {
        List<Path> all = list();
        Optional<Path> best = best();
        for (int i = 0; i < all.size() - 2; i++) {
            if (best.isEmpty() || !best.get().equals(all.get(i))) {
                deleteTree(all.get(i));
            }
        }
    }

    /** Marks a checkpoint as the one at the best evaluation so far: it is kept until a better one is marked. */
    public void markBest(Path dir, double top1) {
        Properties p = new Properties();
        p.setProperty("checkpoint", dir.getFileName().toString());
        p.setProperty("top1", Double.toString(top1));
        Path file = root.resolve(BEST);
        Path tmp = root.resolve(".tmp-" + BEST);
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                p.store(os, "the checkpoint at the student's best evaluation");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            prune();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint at the best evaluation so far, if one was marked and is still there. */
    public Optional<Path> best() {
        return bestProperties().map(p -> root.resolve(p.getProperty("checkpoint"))).filter(Files::isDirectory);
    }

    /** The best evaluation's top-1 so far, if one was marked. */
    public java.util.OptionalDouble bestTop1() {
        return bestProperties().map(p -> java.util.OptionalDouble.of(Double.parseDouble(p.getProperty("top1"))))
                .orElse(java.util.OptionalDouble.empty());
    }

    private Optional<Properties> bestProperties() {
        Path file = root.resolve(BEST);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return p.getProperty("checkpoint") == null || p.getProperty("top1") == null ? Optional.empty()
                : Optional.of(p);
    }

    /**
     * Rolls the loop back to a checkpoint's weights and optimizer state, staying at its current step, with the learning
     * rate multiplied by {@code rateScale} from now on ({@link StudentLoop#rollBack}).
     */
    public void rollBack(Path dir, StudentLoop loop, double rateScale) {
        try (DataInputStream params = input(dir.resolve("student.params"));
             DataInputStream optimizer = input(dir.resolve("optimizer.bin"))) {
            loop.rollBack(params, optimizer, rateScale);
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("cannot roll back to checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every checkpoint and the best-evaluation mark: a run that starts afresh in an output directory that held
     * another run's checkpoints must neither resume, roll back to, nor keep (pruning by step) those.
     */
    public void clear() {
        try {
            deleteTree(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the old checkpoints in " + root + ": " + e.getMessage(), e);
        }
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** What to do after a diverged loss: where to resume from, and with what. */
    public String afterDivergence() {
        return latest().map(c -> "the last checkpoint is " + c + " (resume from it with student.resume=true and a "
                + "lower student.lr, or student.clip-norm=1)")
                .orElse("no checkpoint yet: start again with a lower student.lr or student.clip-norm=1");
    }

    /** Restores the loop from a checkpoint and returns its state. */
    public State restore(Path dir, StudentLoop loop) {
        try (DataInputStream params = input(dir.resolve("student.params"));
             DataInputStream optimizer = input(dir.resolve("optimizer.bin"))) {
            loop.readState(params, optimizer);
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("cannot restore checkpoint " + dir + ": " + e.getMessage()
                    + "; delete it to resume from the one before, or set student.resume=false", e);
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("state.properties"))) {
            p.load(in);
            Map<TopicPartition, Long> offsets = new HashMap<>();
            Map<Integer, Set<Integer>> markers = new HashMap<>();
            Map<String, Long> teachers = new java.util.TreeMap<>();
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith("teacher.")) {
                    teachers.put(k.substring(8), Long.parseLong(p.getProperty(k)));
                }
                if (k.startsWith("markers.")) {
                    Set<Integer> parts = new java.util.HashSet<>();
                    for (String v : p.getProperty(k).split(",")) {
                        parts.add(Integer.parseInt(v.trim()));
                    }
                    markers.put(Integer.parseInt(k.substring(8)), parts);
                }
                if (k.startsWith("offset.")) {
                    String rest = k.substring(7);
                    int dot = rest.lastIndexOf('.');
                    offsets.put(new TopicPartition(rest.substring(0, dot), Integer.parseInt(rest.substring(dot + 1))),
                            Long.parseLong(p.getProperty(k)));
                }
            }
            long journal;
            List<String> listed = List.of();
            if (p.getProperty("journal.bytes") != null) {
                journal = Long.parseLong(p.getProperty("journal.bytes"));
            } else { // a checkpoint of an earlier version, which listed the ids itself
                listed = Files.readAllLines(dir.resolve("trained.txt"), StandardCharsets.UTF_8);
                journal = TrainedJournal.write(out, listed);
            }
            Path windowFile = dir.resolve("windows.txt");
            TrainedWindows windows = Files.exists(windowFile)
                    ? TrainedWindows.decode(Files.readAllLines(windowFile, StandardCharsets.UTF_8))
                    : TrainedWindows.fromIds(listed); // a checkpoint written before the windows were kept
            return new State(Long.parseLong(p.getProperty("step")), Integer.parseInt(p.getProperty(
                    "epochs.completed")), offsets, journal, markers, teachers, windows,
                    Long.parseLong(p.getProperty("trained.total", Integer.toString(listed.size()))),
                    Long.parseLong(p.getProperty("recording.bytes", "-1")));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("checkpoint " + dir + " is unreadable (" + e.getMessage() + "); delete "
                    + "it to resume from the one before, or set student.resume=false", e);
        }
    }

    private static DataOutputStream output(Path file) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)));
    }

    private static DataInputStream input(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(file)));
    }

    private List<Path> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(5))))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
