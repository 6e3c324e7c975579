package io.kdstream.broker;

import io.kdstream.core.kafka.KafkaSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running in this JVM, bound to
 * 127.0.0.1. Used by {@code kdstream broker}, the one-machine run and the integration tests. Its message and fetch
 * limits are sized for kdstream's largest records.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private boolean closed;

    /**
     * Options of the embedded broker.
     *
     * @param port           the client port, 0 for a free one
     * @param dataDir        the log directory, null for a fresh temporary one deleted on close
     * @param maxRecordBytes the largest record value clients will write
     * @param tempParent     where the temporary directory goes when {@code dataDir} is null; null for the system's
     */
    public record Options(int port, Path dataDir, int maxRecordBytes, Path tempParent) {
        /** Options with the temporary directory in the system's temporary directory. */
        public Options(int port, Path dataDir, int maxRecordBytes) {
            this(port, dataDir, maxRecordBytes, null);
        }

        /** A random port, a temporary directory, 16 MiB records. */
        public static Options forTests() {
            return new Options(0, null, 16 * 1024 * 1024);
        }

        /** The same options with the temporary directory (deleted on close) under {@code parent}. */
        public Options withTempParent(Path parent) {
            return new Options(port, dataDir, maxRecordBytes, parent);
        }
    }

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean deleteOnClose, int port) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
    }

    /** Formats storage if needed and starts the broker; returns once it accepts clients. */
    public static EmbeddedKafkaBroker start(Options options) {
        boolean temporary = options.dataDir() == null;
        Path dir;
        try {
            dir = !temporary ? Files.createDirectories(options.dataDir()) : options.tempParent() == null
                    ? Files.createTempDirectory("kdstream-kafka-")
                    : Files.createTempDirectory(options.tempParent(), "kdstream-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker's data directory " + options.dataDir(), e);
        }
        RuntimeException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = options.port() != 0 ? options.port() : freePort();
            int controllerPort = freePort();
            Properties props = properties(dir, port, controllerPort, options.maxRecordBytes());
            try {
                format(dir, props);
                KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
                server.startup();
                LOG.info("embedded Kafka broker on 127.0.0.1:{} (data in {})", port, dir);
                return new EmbeddedKafkaBroker(server, dir, temporary, port);
            } catch (RuntimeException e) {
                last = e; // a port grabbed by someone else between probe and bind: try other ports
                LOG.warn("embedded broker start on port {} failed: {}", port, e.toString());
                if (options.port() != 0) {
                    break;
                }
            }
        }
        throw new IllegalStateException("cannot start the embedded Kafka broker in " + dir + ": " + last, last);
    }

    private static Properties properties(Path dir, int port, int controllerPort, int maxRecordBytes) {
        int maxMessage = maxRecordBytes + KafkaSettings.FRAMING_BYTES;
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", Integer.toString(maxMessage));
        p.put("replica.fetch.max.bytes", Integer.toString(maxMessage));
        p.put("socket.request.max.bytes", Integer.toString(Math.max(104_857_600, 2 * maxMessage)));
        p.put("log.segment.bytes", Integer.toString(256 * 1024 * 1024));
        p.put("log.retention.hours", "24");
        return p;
    }

    private static void format(Path dir, Properties props) {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return;
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(dir.toString())
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName(props.getProperty("controller.listener.names"))
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dir + ": " + e, e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /** {@code 127.0.0.1:port}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** The log directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** Shuts the broker down cleanly and deletes a temporary data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                LOG.warn("could not delete {}: {}", dataDir, e.toString());
            }
        }
    }
}
