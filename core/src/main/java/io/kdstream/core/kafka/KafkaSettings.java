package io.kdstream.core.kafka;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.RunId;
import io.kdstream.core.config.Settings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How every kdstream client reaches Kafka: settings {@code kafka.*}.
 *
 * @param bootstrapServers  {@code kafka.bootstrap}: host:port list
 * @param topicPrefix       {@code kafka.topic-prefix}: prepended to every topic and group name, followed by the run id
 *                          and a dot when {@code pipeline.run} is set ({@link RunId})
 * @param partitions        {@code kafka.partitions}: partitions of the data topics, the parallelism of each stage
 * @param replicationFactor {@code kafka.replication}: replication of created topics
 * @param maxRecordBytes    {@code kafka.max-record-bytes}: largest record value a stage may write
 * @param sendTimeout       {@code kafka.send-timeout-ms}: a send fails after this long without acknowledgement
 * @param clientId          {@code kafka.client-id}: prefix of client ids; unique per process by default
 * @param clientProperties  {@code kafka.client.*}: passed verbatim to every producer, consumer and admin client
 *                          (TLS, SASL, ...)
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, int partitions, short replicationFactor,
                            int maxRecordBytes, Duration sendTimeout, String clientId,
                            Map<String, String> clientProperties) {
    /** Room for the record header, key and Kafka's own framing on top of the value. */
    public static final int FRAMING_BYTES = 64 * 1024;

    public KafkaSettings {
        ConfigException.require(!bootstrapServers.isBlank(), "kafka.bootstrap", bootstrapServers, "must be host:port");
        ConfigException.require(partitions >= 1 && partitions <= 1024, "kafka.partitions", partitions, "must be 1..1024");
        ConfigException.require(replicationFactor >= 1, "kafka.replication", replicationFactor, "must be >= 1");
        ConfigException.require(maxRecordBytes >= 1024 && maxRecordBytes <= 512 * 1024 * 1024,
                "kafka.max-record-bytes", maxRecordBytes, "must be 1 KiB..512 MiB");
        ConfigException.require(sendTimeout.toMillis() >= 1000, "kafka.send-timeout-ms", sendTimeout.toMillis(),
                "must be >= 1000");
        clientProperties = Map.copyOf(clientProperties);
    }

    /** Reads {@code kafka.*}. */
    public static KafkaSettings from(Settings s) {
        return new KafkaSettings(
                s.string(Keys.KAFKA_BOOTSTRAP),
                s.string(Keys.KAFKA_TOPIC_PREFIX) + RunId.from(s).map(run -> run + ".").orElse(""),
                s.integer(Keys.KAFKA_PARTITIONS),
                (short) s.integer(Keys.KAFKA_REPLICATION),
                s.integer(Keys.KAFKA_MAX_RECORD_BYTES),
                Duration.ofMillis(s.longValue(Keys.KAFKA_SEND_TIMEOUT_MS)),
                s.string(Keys.KAFKA_CLIENT_ID, defaultClientId()),
                s.withPrefix(Keys.KAFKA_CLIENT));
    }

    /** Local settings for a broker at {@code bootstrap} (tests, the one-machine run). */
    public static KafkaSettings local(String bootstrap, int partitions) {
        return new KafkaSettings(bootstrap, "kds.", partitions, (short) 1, 16 * 1024 * 1024, Duration.ofSeconds(30),
                defaultClientId(), Map.of());
    }

    /** A copy with another bootstrap address. */
    public KafkaSettings withBootstrap(String bootstrap) {
        return new KafkaSettings(bootstrap, topicPrefix, partitions, replicationFactor, maxRecordBytes, sendTimeout,
                clientId, clientProperties);
    }

    /** A copy whose topics and groups carry another prefix (a separate namespace on the same cluster). */
    public KafkaSettings withTopicPrefix(String prefix) {
        return new KafkaSettings(bootstrapServers, prefix, partitions, replicationFactor, maxRecordBytes, sendTimeout,
                clientId, clientProperties);
    }

    private static String defaultClientId() {
        String host = System.getenv().getOrDefault("HOSTNAME", "local");
        return "kds-" + host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /** Client property names whose values are secrets: masked in {@link #toString()}. */
    private static boolean secret(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
                || k.endsWith(".key") || k.contains("credentials");
    }

    /** Like the record's, with the values of secret client properties (passwords, JAAS configs) masked. */
    @Override
    public String toString() {
        Map<String, String> shown = new java.util.TreeMap<>();
        clientProperties.forEach((k, v) -> shown.put(k, secret(k) ? "***" : v));
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix + ", partitions="
                + partitions + ", replicationFactor=" + replicationFactor + ", maxRecordBytes=" + maxRecordBytes
                + ", sendTimeout=" + sendTimeout + ", clientId=" + clientId + ", clientProperties=" + shown + "]";
    }

    /** The full name of a topic. */
    public String topic(Topic t) {
        return t.fullName(topicPrefix);
    }

    /** The consumer group of a stage: the topic prefix plus the stage name, e.g. {@code kds.augmenter}. */
    public String group(String stage) {
        return topicPrefix + stage;
    }

    /**
     * Properties shared by every client; the client id is {@code <kafka.client-id>-<role>}, unique per process and
     * client kind (the callers add -producer, -consumer, -admin), so client metrics never collide.
     */
    public Map<String, Object> common(String role) {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientId + "-" + role);
        return p;
    }

    /** Producer properties sized for records up to {@link #maxRecordBytes()}. */
    public Map<String, Object> producer(String role) {
        Map<String, Object> p = common(role + "-producer");
        int timeout = (int) sendTimeout.toMillis();
        p.put("max.request.size", maxRecordBytes + FRAMING_BYTES);
        p.put("buffer.memory", Math.max(64L * 1024 * 1024, 4L * (maxRecordBytes + FRAMING_BYTES)));
        p.put("batch.size", 256 * 1024);
        p.put("linger.ms", 5);
        p.put("request.timeout.ms", Math.max(500, timeout / 2 - 10));
        p.put("delivery.timeout.ms", timeout);
        p.put("max.block.ms", timeout);
        p.putAll(clientProperties);
        return p;
    }

    /** Consumer properties for a group, reading from the earliest offset when the group has no commit. */
    public Map<String, Object> consumer(String group, String role) {
        Map<String, Object> p = common(role + "-consumer");
        p.put("group.id", group);
        p.put("auto.offset.reset", "earliest");
        p.put("max.partition.fetch.bytes", maxRecordBytes + FRAMING_BYTES);
        p.put("fetch.max.bytes", Math.max(52_428_800, maxRecordBytes + FRAMING_BYTES));
        p.put("isolation.level", "read_committed");
        // a replica that dies is noticed after 10 s (Kafka's default is 45 s); its partitions then move on
        p.put("session.timeout.ms", 10_000);
        p.put("heartbeat.interval.ms", 2_000);
        p.putAll(clientProperties);
        return p;
    }

    /** Admin client properties. */
    public Map<String, Object> admin(String role) {
        Map<String, Object> p = common(role + "-admin");
        p.put("request.timeout.ms", (int) sendTimeout.toMillis());
        p.put("default.api.timeout.ms", (int) sendTimeout.toMillis());
        p.putAll(clientProperties);
        return p;
    }
}
