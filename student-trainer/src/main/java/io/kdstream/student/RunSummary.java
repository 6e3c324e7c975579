package io.kdstream.student;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * What a finished run did, written next to its final model: {@code summary.properties} (steps, batches trained,
 * duplicates skipped, roll-backs after a divergence, batches per teacher version, the last evaluation), beside the {@link TrainedJournal}
 * ({@code trained-batches.txt}: every batch id the final model was trained on, in training order).
 * {@code kdstream audit} and {@code kdstream faults} audit runs with them.
 */
final class RunSummary {
    private RunSummary() {
    }

    static void write(Path out, TrainingLedger ledger, long steps, int rollbacks, EvalResult e) throws IOException {
        Properties p = new Properties();
        p.setProperty("steps", Long.toString(steps));
        p.setProperty("batches.trained", Long.toString(ledger.trainedCount()));
        p.setProperty("duplicates.skipped", Long.toString(ledger.duplicates()));
        p.setProperty("epochs", Integer.toString(ledger.epochsCompleted()));
        p.setProperty("rollbacks", Integer.toString(rollbacks));
        p.setProperty("top1", String.format(Locale.ROOT, "%.4f", e.studentTop1()));
        if (!Double.isNaN(e.agreement())) {
            p.setProperty("agreement", String.format(Locale.ROOT, "%.4f", e.agreement()));
        }
        ledger.teacherBatches().forEach((t, n) -> p.setProperty("teacher." + t, Long.toString(n)));
        Files.createDirectories(out);
        try (Writer w = Files.newBufferedWriter(out.resolve("summary.properties"))) {
            p.store(w, "kdstream student run summary");
        }
        ledger.sync();
    }
}
