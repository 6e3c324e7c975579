package io.kdstream.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.cli.ProcessMetrics;
import io.kdstream.core.config.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TLS and SASL settings reach every Kafka client a stage makes, and secrets never show. */
class KafkaSettingsTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"kds\" password=\"s3cret-jaas\";";

    private static KafkaSettings secured() {
        Settings s = Settings.of(Map.of(
                "kafka.bootstrap", "broker-1:9093,broker-2:9093",
                "kafka.client.security.protocol", "SASL_SSL",
                "kafka.client.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.client.sasl.jaas.config", JAAS,
                "kafka.client.ssl.truststore.location", "/certs/truststore.p12",
                "kafka.client.ssl.truststore.type", "PKCS12"),
                Map.of("KDS_KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD", "s3cret-store",
                        "KDS_KAFKA_CLIENT_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "https"));
        KafkaSettings k = KafkaSettings.from(s);
        s.requireAllUsed(); // flags and variables were all taken up
        return k;
    }

    @Test
    void shouldPassTlsAndSaslSettingsToProducersConsumersAndAdminClients() {
        KafkaSettings k = secured();
        Map<String, String> expected = Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS,
                "ssl.truststore.location", "/certs/truststore.p12",
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.password", "s3cret-store",
                "ssl.endpoint.identification.algorithm", "https");
        for (Map<String, Object> props : List.of(k.producer("loader"), k.consumer(k.group("teacher"), "teacher"),
                k.admin("student"))) {
            expected.forEach((key, value) -> assertEquals(value, props.get(key), key + " in " + props.keySet()));
            assertEquals("broker-1:9093,broker-2:9093", props.get("bootstrap.servers"));
        }
    }

    @Test
    void shouldLetClientSettingsOverrideKdstreamDefaults() {
        KafkaSettings k = KafkaSettings.from(Settings.of(Map.of("kafka.client.linger.ms", "20",
                "kafka.client.auto.offset.reset", "latest")));
        assertEquals("20", k.producer("x").get("linger.ms"));
        assertEquals("latest", k.consumer("g", "x").get("auto.offset.reset"));
    }

    @Test
    void shouldNeverShowSecretsInTextOrMetrics() {
        KafkaSettings k = secured();
        String text = k.toString();
        assertFalse(text.contains("s3cret"), text);
        assertTrue(text.contains("SASL_SSL") && text.contains("sasl.jaas.config=***"), text);
        try (ProcessMetrics m = new ProcessMetrics("test", "r1")) {
            assertFalse(m.registry().scrape().contains("s3cret"), "the metrics endpoint shows no secret");
        }
    }
}
