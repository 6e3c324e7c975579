package io.kdstream.student;

import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.wire.AugmentedBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What the student has consumed and trained, kept in step with its weights: the next offset per partition, what was
 * trained (for de-duplication: {@link TrainedWindows}, bounded), the EPOCH_END markers seen for epochs not yet
 * complete, epochs completed, and batches per teacher. Saved in and restored from every checkpoint
 * ({@link Checkpoints.State}). Every batch id trained goes to the run's {@link TrainedJournal} on disk, for its
 * audit; a run of a set number of epochs also keeps them in memory (for {@link StudentTrainer#trainedBatches()}),
 * a run that never ends ({@code pipeline.epochs=0}) keeps only the bounded state. Written on the student's DJL
 * thread; the accessors may be called from any thread.
 */
final class TrainingLedger implements AutoCloseable {
    private final boolean keepIds;
    private final Path out;
    private final TrainedJournal journal;
    private final Recording.Writer recording;
    private final Map<TopicPartition, Long> offsets = new HashMap<>();
    private final Set<String> trained = new LinkedHashSet<>();
    private final Map<Integer, Set<Integer>> markers = new HashMap<>();
    private final Map<String, Long> teacherBatches = new TreeMap<>();
    private final Map<String, String> trainedBy = new LinkedHashMap<>();
    private final Set<String> announced = new HashSet<>();
    private TrainedWindows windows = new TrainedWindows();
    private long trainedTotal;
    private volatile long duplicates;
    private volatile int epochsCompleted;

    /**
     * @param keepIds whether to keep every batch id trained in memory too (runs of a set number of epochs)
     * @param out       the run's output directory, where the journal goes
     * @param recording where to record what is trained ({@code student.record}), or null
     */
    TrainingLedger(boolean keepIds, Path out, Recording.Writer recording) {
        this.keepIds = keepIds;
        this.out = out;
        this.journal = new TrainedJournal(out);
        this.recording = recording;
    }

    /** A ledger that records nothing. */
    TrainingLedger(boolean keepIds, Path out) {
        this(keepIds, out, null);
    }

    /** Begins a new run: nothing trained (an old journal or recording of the output directory is cleared). */
    synchronized void begin() {
        journal.open(0);
        if (recording != null) {
            recording.open(0);
        }
    }

    /** Takes up a checkpoint's state. */
    synchronized void restore(Checkpoints.State st) {
        if (recording != null && st.recordingBytes() < 0) {
            throw new io.kdstream.core.config.ConfigException("setting student.record: the checkpoint to resume from "
                    + "was written without a recording, which would miss the steps before it; set "
                    + "student.resume=false to record the run from its start, or leave student.record out");
        }
        journal.open(st.journalBytes());
        if (recording != null) {
            recording.open(st.recordingBytes());
        }
        offsets.putAll(st.offsets());
        if (keepIds) {
            try {
                trained.addAll(TrainedJournal.read(out, st.journalBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + out.resolve(TrainedJournal.FILE) + ": " + e, e);
            }
        }
        windows = st.windows();
        trainedTotal = st.trainedTotal();
        st.markers().forEach((e, parts) -> markers.put(e, new HashSet<>(parts)));
        epochsCompleted = st.epochsCompleted();
        teacherBatches.putAll(st.teacherBatches());
    }

    /** The state to save with the weights after {@code steps} steps. */
    synchronized Checkpoints.State state(long steps) {
        Map<Integer, Set<Integer>> pending = new HashMap<>();
        markers.forEach((e, parts) -> pending.put(e, Set.copyOf(parts)));
        return new Checkpoints.State(steps, epochsCompleted, Map.copyOf(offsets), journal.sync(),
                pending, Map.copyOf(teacherBatches), windows.copy(), trainedTotal,
                recording == null ? -1 : recording.sync());
    }

    /** A record is done with: the partition resumes after it. */
    synchronized void consumed(ReceivedRecord<String, byte[]> rec) {
        offsets.put(rec.topicPartition(), rec.record().offset() + 1);
    }

    /**
     * Whether a batch was trained already (or belongs to an epoch every partition has ended); counts it as a
     * duplicate when it was.
     */
    synchronized boolean duplicate(AugmentedBatch b) {
        if (b.epoch() < epochsCompleted || windows.contains(b.epoch(), b.partition(), b.seq())) {
            duplicates++;
            return true;
        }
        return false;
    }

    /**
     * A batch trained.
     *
     * @param teacher the teacher ({@code id@version}) whose logits it was trained on, or null
     * @return whether this is the teacher's first batch in this process (a resumed run announces its teachers
     *         again)
     */
    synchronized boolean trained(AugmentedBatch b, String teacher) {
        windows.add(b.epoch(), b.partition(), b.seq());
        journal.append(b.key());
        trainedTotal++;
        if (keepIds) {
            trained.add(b.key());
        }
        if (teacher == null) {
            return false;
        }
        teacherBatches.merge(teacher, 1L, Long::sum);
        if (keepIds) {
            trainedBy.put(b.key(), teacher);
        }
        return announced.add(teacher);
    }

    /**
     * An EPOCH_END marker of one source partition.
     *
     * @return whether it completes its epoch (every partition's marker seen); a marker of an epoch that has ended
     *         already (delivered again by a restarted upstream stage) never does, so end-of-epoch work runs once
     */
    synchronized boolean marker(int epoch, int partition, int partitions) {
        if (epoch < epochsCompleted) {
            return false;
        }
        Set<Integer> seen = markers.computeIfAbsent(epoch, e -> new HashSet<>());
        seen.add(partition);
        if (seen.size() < partitions) {
            return false;
        }
        markers.remove(epoch);
        epochsCompleted = Math.max(epochsCompleted, epoch + 1);
        windows.dropBefore(epochsCompleted);
        return true;
    }

    int epochsCompleted() {
        return epochsCompleted;
    }

    long duplicates() {
        return duplicates;
    }

    synchronized long trainedCount() {
        return trainedTotal;
    }

    /** The size of the de-duplication state: bounded by the epochs in progress, not by the run's length. */
    synchronized int stateSize() {
        return windows.size() + markers.values().stream().mapToInt(Set::size).sum();
    }

    /** The ids trained (empty in a run that never ends, which does not keep them). */
    synchronized Set<String> trainedSet() {
        return Set.copyOf(trained);
    }

    /** A record trained on, or a marker consumed: appended to the recording, when there is one. */
    synchronized void record(String key, io.kdstream.core.wire.Frame frame) {
        if (recording != null) {
            recording.append(key, frame);
        }
    }

    /** Forces the journal of trained ids and the recording to disk (the end of a run). */
    synchronized void sync() {
        journal.sync();
        if (recording != null) {
            recording.sync();
        }
    }

    @Override
    public synchronized void close() {
        journal.close();
        if (recording != null) {
            recording.close();
        }
    }

    synchronized Map<String, Long> teacherBatches() {
        return Map.copyOf(teacherBatches);
    }

    synchronized Map<String, String> trainedBy() {
        return new LinkedHashMap<>(trainedBy);
    }
}
