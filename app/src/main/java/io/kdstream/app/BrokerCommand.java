package io.kdstream.app;

import io.kdstream.broker.EmbeddedKafkaBroker;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code kdstream broker}: a real single-node KRaft broker on 127.0.0.1 until Ctrl-C. */
final class BrokerCommand {
    private BrokerCommand() {
    }

    static int run(List<String> args, Map<String, String> env) {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(args, env, positional);
        EmbeddedKafkaBroker.Options options;
        try {
            int port = s.integer(Keys.BROKER_PORT);
            Path dir = s.path(Keys.BROKER_DATA_DIR).orElse(null);
            int maxRecord = s.integer(Keys.KAFKA_MAX_RECORD_BYTES);
            s.requireAllUsed();
            options = new EmbeddedKafkaBroker.Options(port, dir, maxRecord);
        } catch (ConfigException e) {
            System.err.println("kdstream broker: " + e.getMessage());
            return 2;
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "kds-broker-shutdown"));
        System.err.println("kdstream broker: listening on " + broker.bootstrapServers() + " (data in "
                + broker.dataDir() + "); Ctrl-C stops it");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
