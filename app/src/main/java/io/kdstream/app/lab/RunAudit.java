package io.kdstream.app.lab;

import io.kdstream.app.Demo;
import io.kdstream.core.kafka.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * What a fault-suite run did, by batch id: batches produced (read back from the augmented topic), trained by the
 * final model (its {@code trained-batches.txt}), lost, trained twice, duplicates skipped, and the student's top-1.
 * Counts are -1 when the student left no summary.
 */
record RunAudit(long produced, long trained, long lost, long twice, long skipped, String top1) {
    static RunAudit of(String bootstrap, Path studentOut) throws IOException {
        KafkaSettings k = KafkaSettings.local(bootstrap, 2);
        Set<String> produced = Demo.producedBatches(k);
        Path ids = studentOut.resolve("trained-batches.txt");
        Path summary = studentOut.resolve("summary.properties");
        if (!Files.exists(ids) || !Files.exists(summary)) {
            return new RunAudit(produced.size(), -1, -1, -1, -1, "-");
        }
        List<String> lines = Files.readAllLines(ids);
        Set<String> trained = new HashSet<>(lines);
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(summary)) {
            p.load(r);
        }
        long steps = Long.parseLong(p.getProperty("steps"));
        Set<String> lost = new HashSet<>(produced);
        lost.removeAll(trained);
        return new RunAudit(produced.size(), trained.size(), lost.size(), steps - trained.size(),
                Long.parseLong(p.getProperty("duplicates.skipped", "0")),
                String.format(Locale.ROOT, "%.2f%%", 100 * Double.parseDouble(p.getProperty("top1"))));
    }

    /** The step of the newest checkpoint under a student's output directory, 0 when there is none. */
    static long lastCheckpointStep(Path studentOut) throws IOException {
        Path dir = studentOut.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-"))
                    .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(0);
        }
    }

}
