package io.kdstream.student;

import io.kdstream.core.kafka.ReceivedRecord;
import java.util.ArrayList;
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
 * What the student has consumed and trained, kept in step with its weights: the next offset per partition, the ids
 * of the batches trained (for de-duplication), the EPOCH_END markers seen for epochs not yet complete, epochs
 * completed, and batches per teacher. Saved in and restored from every checkpoint ({@link Checkpoints.State}).
 * Written on the student's DJL thread; the accessors may be called from any thread.
 */
final class TrainingLedger {
    private final Map<TopicPartition, Long> offsets = new HashMap<>();
    private final Set<String> trained = new LinkedHashSet<>();
    private final Map<Integer, Set<Integer>> markers = new HashMap<>();
    private final Map<String, Long> teacherBatches = new TreeMap<>();
    private final Map<String, String> trainedBy = new LinkedHashMap<>();
    private final Set<String> announced = new HashSet<>();
    private volatile long duplicates;
    private volatile int epochsCompleted;

    /** Takes up a checkpoint's state. */
    synchronized void restore(Checkpoints.State st) {
        offsets.putAll(st.offsets());
        trained.addAll(st.trained());
        st.markers().forEach((e, parts) -> markers.put(e, new HashSet<>(parts)));
        epochsCompleted = st.epochsCompleted();
        teacherBatches.putAll(st.teacherBatches());
    }

    /** The state to save with the weights after {@code steps} steps. */
    synchronized Checkpoints.State state(long steps) {
        Map<Integer, Set<Integer>> pending = new HashMap<>();
        markers.forEach((e, parts) -> pending.put(e, Set.copyOf(parts)));
        return new Checkpoints.State(steps, epochsCompleted, Map.copyOf(offsets), new LinkedHashSet<>(trained),
                pending, Map.copyOf(teacherBatches));
    }

    /** A record is done with: the partition resumes after it. */
    synchronized void consumed(ReceivedRecord<String, byte[]> rec) {
        offsets.put(rec.topicPartition(), rec.record().offset() + 1);
    }

    /** Whether a batch id was trained already; counts it as a duplicate when it was. */
    synchronized boolean duplicate(String key) {
        if (trained.contains(key)) {
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
    synchronized boolean trained(String key, String teacher) {
        trained.add(key);
        if (teacher == null) {
            return false;
        }
        teacherBatches.merge(teacher, 1L, Long::sum);
        trainedBy.put(key, teacher);
        return announced.add(teacher);
    }

    /**
     * An EPOCH_END marker of one source partition.
     *
     * @return whether it completes its epoch (every partition's marker seen); a marker of an epoch that has ended
     *         already (delivered again by a restarted upstream stage) never does
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
        return true;
    }

    int epochsCompleted() {
        return epochsCompleted;
    }

    long duplicates() {
        return duplicates;
    }

    synchronized int trainedCount() {
        return trained.size();
    }

    synchronized Set<String> trainedSet() {
        return Set.copyOf(trained);
    }

    /** Ids of the batches trained, in order (those restored from a checkpoint first). */
    synchronized List<String> trainedInOrder() {
        return new ArrayList<>(trained);
    }

    synchronized Map<String, Long> teacherBatches() {
        return Map.copyOf(teacherBatches);
    }

    synchronized Map<String, String> trainedBy() {
        return new LinkedHashMap<>(trainedBy);
    }
}
