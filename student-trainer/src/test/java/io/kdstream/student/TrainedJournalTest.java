package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainedJournalTest {
    @Test
    void shouldListWhatTheResumedWeightsWereTrainedOn(@TempDir Path out) throws Exception {
        long atCheckpoint;
        try (TrainedJournal j = new TrainedJournal(out)) {
            j.open(0);
            j.append("e0-p0-b0");
            j.append("e0-p1-b0");
            atCheckpoint = j.sync();
            j.append("e0-p0-b1"); // trained after the checkpoint, then killed: lost with the weights
        }
        assertEquals(List.of("e0-p0-b0", "e0-p1-b0", "e0-p0-b1"), Files.readAllLines(out.resolve(TrainedJournal.FILE)),
                "each id is on disk as soon as it is trained");
        try (TrainedJournal j = new TrainedJournal(out)) {
            j.open(atCheckpoint); // resumed from the checkpoint
            assertEquals(List.of("e0-p0-b0", "e0-p1-b0"), TrainedJournal.read(out, atCheckpoint));
            j.append("e0-p0-b1"); // trained again, once
            assertEquals(List.of("e0-p0-b0", "e0-p1-b0", "e0-p0-b1"), TrainedJournal.read(out, j.sync()));
        }
        try (TrainedJournal j = new TrainedJournal(out)) {
            j.open(0); // a new run in the same directory
            assertEquals(0, Files.size(out.resolve(TrainedJournal.FILE)));
        }
    }

    @Test
    void shouldRefuseAJournalShorterThanItsCheckpoint(@TempDir Path out) throws Exception {
        Files.writeString(out.resolve(TrainedJournal.FILE), "e0-p0-b0\n");
        try (TrainedJournal j = new TrainedJournal(out)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> j.open(100));
            assertTrue(e.getMessage().contains(TrainedJournal.FILE) && e.getMessage().contains("student.resume=false"),
                    e.getMessage());
        }
    }
}
