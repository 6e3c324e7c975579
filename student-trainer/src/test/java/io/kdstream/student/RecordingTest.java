package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.kafka.ReceivedRecord;
import io.kdstream.core.wire.EpochEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingTest {
    private static final Recording.Header HEADER = new Recording.Header("fashion-mnist/train", 400, 10);

    private static EpochEnd marker(int epoch, int partition) {
        return new EpochEnd(epoch, partition, 2, "teacher", 200, 7, false, 0);
    }

    @Test
    void shouldReplayInOrderAndFollowItsCheckpoints(@TempDir Path tmp) {
        Path file = tmp.resolve("run.kdr");
        long atCheckpoint;
        try (Recording.Writer w = new Recording.Writer(file, () -> HEADER)) {
            w.open(0);
            w.append("end-e0-p0", marker(0, 0).toFrame());
            w.append("end-e0-p1", marker(0, 1).toFrame());
            atCheckpoint = w.sync();
            w.append("end-e1-p0", marker(1, 0).toFrame()); // after the checkpoint: lost with a kill
        }
        assertEquals(List.of("end-e0-p0", "end-e0-p1", "end-e1-p0"), keys(file, 0));
        assertEquals(List.of("end-e0-p1", "end-e1-p0"), keys(file, 1), "a resumed replay starts at its offset");
        try (Recording.Writer w = new Recording.Writer(file, () -> HEADER)) {
            w.open(atCheckpoint); // the recording run resumed from its checkpoint
            w.append("end-e1-p1", marker(1, 1).toFrame());
        }
        assertEquals(List.of("end-e0-p0", "end-e0-p1", "end-e1-p1"), keys(file, 0));
        assertEquals(HEADER, Recording.header(file));
    }

    @Test
    void shouldSayWhatIsWrongWithAFile(@TempDir Path tmp) throws Exception {
        Path notOne = Files.writeString(tmp.resolve("notes.txt"), "hello\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Recording.header(notOne));
        assertTrue(e.getMessage().contains("student.replay=" + notOne) && e.getMessage().contains("student.record"),
                e.getMessage());
        Path file = tmp.resolve("run.kdr");
        try (Recording.Writer w = new Recording.Writer(file, () -> HEADER)) {
            w.open(0);
            w.append("end-e0-p0", marker(0, 0).toFrame());
        }
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 3)); // cut inside its last entry
        IllegalStateException cut = assertThrows(IllegalStateException.class, () -> keys(file, 0));
        assertTrue(cut.getMessage().contains("cut or corrupt at entry 0"), cut.getMessage());
    }

    private static List<String> keys(Path file, long from) {
        return Recording.replay(file, from).map(ReceivedRecord::key).collectList().block();
    }
}
