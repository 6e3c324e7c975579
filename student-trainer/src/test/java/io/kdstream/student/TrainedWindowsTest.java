package io.kdstream.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The student's de-duplication state stays bounded over a run that never ends, and survives a checkpoint. */
class TrainedWindowsTest {
    @Test
    void shouldRememberBatchesTrainedInAnyOrderWithinAnEpoch() {
        TrainedWindows w = new TrainedWindows();
        w.add(0, 1, 2);
        w.add(0, 1, 0);
        assertTrue(w.contains(0, 1, 0) && w.contains(0, 1, 2));
        assertFalse(w.contains(0, 1, 1), "1 was not trained (dead-lettered, say)");
        assertFalse(w.contains(0, 0, 0), "another partition");
        assertFalse(w.contains(1, 1, 0), "another epoch");
        w.add(0, 1, 1);
        assertEquals(1, w.size(), "0..2 contiguous: one watermark, nothing above it");
        TrainedWindows saved = w.copy();
        w.add(0, 1, 5);
        assertFalse(saved.contains(0, 1, 5), "a copy saved for a checkpoint does not follow later training");
        assertTrue(saved.contains(0, 1, 2));
        TrainedWindows copy = TrainedWindows.decode(w.encode());
        assertTrue(copy.contains(0, 1, 2) && !copy.contains(0, 1, 3), "survives a checkpoint");
        assertEquals(saved.encode(), TrainedWindows.fromIds(List.of("e0-p1-b0", "e0-p1-b1", "e0-p1-b2")).encode(),
                "rebuilt from the ids of a checkpoint written before the windows were kept");
    }

    @Test
    void shouldStayBoundedOverARunThatNeverEnds(@TempDir Path out) {
        TrainingLedger ledger = new TrainingLedger(false, out);
        TrainedWindows w = new TrainedWindows();
        int maxState = 0;
        for (int epoch = 0; epoch < 20_000; epoch++) {
            for (int p = 0; p < 4; p++) {
                for (long seq = 0; seq < 50; seq++) {
                    if (seq != 7) { // one batch of each partition's epoch is dead-lettered, never trained
                        w.add(epoch, p, seq);
                    }
                }
            }
            for (int p = 0; p < 4; p++) {
                boolean ends = ledger.marker(epoch, p, 4);
                assertEquals(p == 3, ends, "the epoch ends with the last partition's marker");
                assertFalse(ledger.marker(epoch, p, 4), "a marker delivered again does not end the epoch again");
            }
            w.dropBefore(epoch + 1);
            maxState = Math.max(maxState, w.size() + ledger.stateSize());
        }
        assertEquals(20_000, ledger.epochsCompleted());
        assertTrue(maxState <= 4, "state after each epoch end: " + maxState);
        assertEquals(0, w.size());
    }
}
