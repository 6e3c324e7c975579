package io.kdstream.app;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Secret;
import io.kdstream.core.kafka.KafkaSettings;
import io.kdstream.core.kafka.Topic;
import io.kdstream.teacher.SwapOrder;
import io.kdstream.teacher.SwapPublisher;
import java.util.List;
import java.util.Map;

/**
 * {@code kdstream teacher swap --to=MODEL}: orders every teacher replica of the run to run another teacher, in one
 * action. The order is signed with {@code admin.token} and kept on the run's control topic, so replicas that restart
 * or are added later run the new teacher too ({@link SwapOrder}).
 */
final class TeacherCommand {
    static final String HELP = """
            usage: kdstream teacher swap --to=MODEL [--id=ID] [--version=V]

            Orders every teacher replica of the run to swap to MODEL between two batches, and keeps the order:
            replicas that restart or are added later run MODEL from their first batch.
              --to=MODEL          a model directory or TorchScript file inside the replicas' teacher.model-root
                                  (relative to it, e.g. fashion-cnn16, or absolute)
              --id=ID             the teacher id the batches carry (default: the model's name)
              --version=V         the version the batches carry (default: the model's own)
              --admin.token=T     the token the replicas were given (KDS_ADMIN_TOKEN); replicas refuse orders
                                  signed with another
              --kafka.bootstrap   the run's broker (KDS_KAFKA_BOOTSTRAP), and kafka.topic-prefix / pipeline.run
                                  as the replicas have them (in the compose cluster, run it inside a teacher
                                  container, which has them: docker compose exec teacher-service kdstream teacher
                                  swap --to=MODEL)
            """;

    private TeacherCommand() {
    }

    private record Order(KafkaSettings kafka, SwapOrder order, Secret token) {
    }

    static int run(List<String> args, Map<String, String> env) {
        CommandLine.Parsed<Order> p = CommandLine.parseAction("teacher", "swap", HELP, args, env, s -> {
            String to = s.required(Keys.SWAP_TO, "the teacher to swap to, a model inside the replicas' teacher.model-root");
            String id = s.string(Keys.SWAP_ID, "");
            String version = s.string(Keys.SWAP_VERSION, "");
            String t = s.required(Keys.ADMIN_TOKEN, "the token the teacher replicas were given (KDS_ADMIN_TOKEN)");
            ConfigException.require(t.length() >= 16, "admin.token", "(hidden)", "must be at least 16 characters");
            KafkaSettings kafka = KafkaSettings.from(s);
            return new Order(kafka, new SwapOrder(to, id, version, System.currentTimeMillis(),
                    env.getOrDefault("HOSTNAME", "local")), Secret.of(t));
        });
        if (!p.run()) {
            return p.exit();
        }
        KafkaSettings kafka = p.value().kafka();
        SwapOrder order = p.value().order();
        Secret token = p.value().token();
        try {
            long offset = SwapPublisher.publish(kafka, order, token);
            System.out.println("teacher swap ordered: " + order.describe());
            System.out.println("  on " + kafka.topic(Topic.CONTROL) + " (offset " + offset + ") at "
                    + kafka.bootstrapServers() + ": every teacher replica of this run loads it between two batches,"
                    + " and replicas that start later run it from their first batch. The replicas log the swap and"
                    + " the metric kds_teacher_active shows the teacher each one runs.");
            return 0;
        } catch (RuntimeException e) {
            System.err.println("kdstream teacher swap failed: " + e.getMessage());
            return 1;
        }
    }
}
