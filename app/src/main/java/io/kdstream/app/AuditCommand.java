package io.kdstream.app;

import io.kdstream.core.config.RunId;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.student.StudentConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code kdstream audit}: checks a finished run by batch id. Produced batches are the keys on the run's augmented
 * topic; trained batches are the list the student wrote next to its final model ({@code trained-batches.txt}). A
 * batch produced but never trained is lost, one trained more than once is trained twice; either fails the audit
 * (exit 1). It also shows how many batches the student trained per teacher version, from its run summary.
 */
final class AuditCommand {
    static final String HELP = """
            usage: kdstream audit [--pipeline.run=ID] [--student.out=DIR] [--kafka.bootstrap=HOST:PORT]

            Audits a finished run by batch id: batches produced (the run's augmented topic), annotated (its
            annotated topic), trained by the final model (student.out/<run>/trained-batches.txt), lost and trained
            twice; exit 1 when any batch is lost or trained twice. In the compose cluster:
              docker compose run --rm --no-deps student-trainer audit
            """;

    private AuditCommand() {
    }

    private record Target(KafkaSettings kafka, String run, Path out) {
    }

    /** What an audit found. */
    record Report(String run, int produced, int annotated, int annotatedMoreThanOnce, int trained, int lost, int twice,
                  Map<String, Long> perTeacher) {
        boolean clean() {
            return lost == 0 && twice == 0 && trained > 0;
        }
    }

    static int run(List<String> args, Map<String, String> env) {
        CommandLine.Parsed<Target> p = CommandLine.parse("audit", HELP, args, env, s -> {
            KafkaSettings kafka = KafkaSettings.from(s);
            return new Target(kafka, RunId.from(s).orElse("(no pipeline.run)"), StudentConfig.outDir(s));
        });
        if (!p.run()) {
            return p.exit();
        }
        KafkaSettings kafka = p.value().kafka();
        String run = p.value().run();
        Path out = p.value().out();
        Path list = out.resolve("trained-batches.txt");
        if (!Files.isRegularFile(list)) {
            System.err.println("kdstream audit: " + list + " does not exist: the student has not finished this run "
                    + "(or student.out / pipeline.run name another one)");
            return 1;
        }
        try {
            Report r = audit(kafka, run, Files.readAllLines(list), out.resolve("summary.properties"));
            print(r);
            return r.clean() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("kdstream audit failed: " + e.getMessage());
            return 1;
        }
    }

    static Report audit(KafkaSettings kafka, String run, List<String> trainedList, Path summary) throws IOException {
        Set<String> produced = new HashSet<>();
        TopicReader.forEachBatch(kafka, Topic.AUGMENTED, r -> produced.add(r.key()));
        Map<String, Integer> annotated = new HashMap<>();
        TopicReader.forEachBatch(kafka, Topic.ANNOTATED, r -> annotated.merge(r.key(), 1, Integer::sum));
        Set<String> trained = new HashSet<>();
        int twice = 0;
        for (String id : trainedList) {
            if (!id.isBlank() && !trained.add(id.trim())) {
                twice++;
            }
        }
        Set<String> lost = new HashSet<>(produced);
        lost.removeAll(trained);
        Map<String, Long> perTeacher = new TreeMap<>();
        if (Files.isRegularFile(summary)) {
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(summary)) {
                p.load(in);
            }
            p.stringPropertyNames().stream().filter(k -> k.startsWith("teacher."))
                    .forEach(k -> perTeacher.put(k.substring(8), Long.parseLong(p.getProperty(k))));
        }
        return new Report(run, produced.size(), annotated.size(),
                (int) annotated.values().stream().filter(n -> n > 1).count(), trained.size(), lost.size(), twice,
                perTeacher);
    }

    private static void print(Report r) {
        System.out.println("| audit of run " + r.run() + " | batches |");
        System.out.println("|---|---|");
        System.out.println("| produced (augmented topic) | " + r.produced() + " |");
        System.out.println("| annotated (annotated topic; more than once) | " + r.annotated() + " ("
                + r.annotatedMoreThanOnce() + ") |");
        System.out.println("| trained by the final model | " + r.trained() + " |");
        System.out.println("| lost (produced, never trained) | " + r.lost() + " |");
        System.out.println("| trained twice | " + r.twice() + " |");
        r.perTeacher().forEach((t, n) -> System.out.println("| trained on teacher " + t + " | " + n + " |"));
        if (!r.perTeacher().isEmpty()) {
            long sum = r.perTeacher().values().stream().mapToLong(Long::longValue).sum();
            System.out.println("| trained on any teacher (the student's count) | " + sum + (sum == r.trained() ? ""
                    : " (not the batches trained: the summary comes from a student that resumed a run written before"
                    + " per-teacher counts were kept in checkpoints)") + " |");
        }
        StringBuilder teachers = new StringBuilder();
        r.perTeacher().forEach((t, n) -> teachers.append(teachers.length() == 0 ? "" : ",").append(t).append(':')
                .append(n));
        System.out.println("audit: run=" + r.run() + " produced=" + r.produced() + " annotated=" + r.annotated()
                + " annotated-twice=" + r.annotatedMoreThanOnce() + " trained=" + r.trained() + " lost=" + r.lost()
                + " twice=" + r.twice() + " teachers=" + teachers + " result=" + (r.clean() ? "ok" : "FAILED"));
    }
}
