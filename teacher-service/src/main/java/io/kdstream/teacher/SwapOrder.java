package io.kdstream.teacher;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A signed order, kept on the run's control topic, that every teacher replica run the named teacher. Replicas
 * running when it is published swap to it between two batches; replicas that start or restart later read it before
 * their first batch. The record (key {@link #KEY}, docs/WIRE.md "Control records") is UTF-8 text, one
 * {@code name=value} per line after a {@code kdstream-control 1} line, ending with
 * {@code signature=hmac-sha256:<hex>} over every byte before that line, keyed by the shared {@code admin.token}: only
 * holders of the token can order a swap, and a replica refuses an order it cannot verify.
 *
 * @param model    the model, a path inside the replicas' {@code teacher.model-root} (relative to it, or absolute)
 * @param id       the teacher id batches carry, empty for the model's own name
 * @param version  the version batches carry, empty for the model's own
 * @param issuedAt when the order was made (ms since the epoch): of several valid orders the newest wins, so
 *                 re-publishing an old order does not undo a newer one
 * @param issuedBy who made it (host name), for logs
 */
public record SwapOrder(String model, String id, String version, long issuedAt, String issuedBy) {
    /** The record key on the control topic. */
    public static final String KEY = "teacher-swap";
    private static final String MAGIC = "kdstream-control 1";
    private static final String SIGNATURE = "signature=hmac-sha256:";

    public SwapOrder {
        ConfigException.require(!model.isBlank(), "to", model, "must name a model (a directory or TorchScript file "
                + "inside the teachers' teacher.model-root)");
        for (String v : new String[] {model, id, version, issuedBy}) {
            ConfigException.require(v.indexOf('\n') < 0 && v.indexOf('\r') < 0, "to", v, "must be one line");
        }
    }

    /** The record value, signed with {@code token}. */
    public byte[] encode(Secret token) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("kind", KEY);
        fields.put("model", model);
        fields.put("id", id);
        fields.put("version", version);
        fields.put("issued-at", Long.toString(issuedAt));
        fields.put("issued-by", issuedBy);
        StringBuilder b = new StringBuilder(MAGIC).append('\n');
        fields.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        String body = b.toString();
        return (body + SIGNATURE + hmac(token, body) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses and verifies a record value.
     *
     * @throws Refused when the record is malformed or its signature does not verify with {@code token}
     */
    public static SwapOrder decode(byte[] value, Secret token) {
        String text = new String(value, StandardCharsets.UTF_8);
        int sig = text.lastIndexOf(SIGNATURE);
        if (!text.startsWith(MAGIC + "\n") || sig < 0) {
            throw new Refused("not a kdstream control record (it must start with '" + MAGIC + "' and end with a "
                    + "signature line)");
        }
        String body = text.substring(0, sig);
        String given = text.substring(sig + SIGNATURE.length()).trim();
        if (!MessageDigest.isEqual(hmac(token, body).getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII))) {
            throw new Refused("its signature does not verify with this replica's admin.token (signed with another "
                    + "token, or altered)");
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : body.substring(MAGIC.length() + 1).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!KEY.equals(f.get("kind"))) {
            throw new Refused("kind '" + f.get("kind") + "' is not " + KEY);
        }
        try {
            return new SwapOrder(f.getOrDefault("model", ""), f.getOrDefault("id", ""), f.getOrDefault("version", ""),
                    Long.parseLong(f.getOrDefault("issued-at", "")), f.getOrDefault("issued-by", ""));
        } catch (RuntimeException e) {
            throw new Refused("malformed fields " + f.keySet() + ": " + e.getMessage());
        }
    }

    private static String hmac(Secret token, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** A short description for logs and the command's output. */
    public String describe() {
        return "model=" + model + (id.isEmpty() ? "" : " id=" + id) + (version.isEmpty() ? "" : " version=" + version)
                + " issued-at=" + java.time.Instant.ofEpochMilli(issuedAt) + (issuedBy.isEmpty() ? "" : " by "
                + issuedBy);
    }

    /** A control record that is not a valid, verified swap order. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }
}
