package io.kdstream.teacher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Secret;
import io.kdstream.core.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher service's admin endpoint, for live teacher swaps:
 * <ul>
 *   <li>{@code GET /admin/teacher}: the teacher running now, {@code {"id": ..., "version": ...}};</li>
 *   <li>{@code POST /admin/teacher} with form fields {@code model} (a path inside {@code teacher.model-root}),
 *       optional {@code id} and {@code version}: loads that model and swaps it in between two batches; answers
 *       200 with the new teacher, 400 when the request is invalid (the message says why), 409 when the model cannot
 *       be loaded or does not fit (the old teacher keeps running).</li>
 * </ul>
 * Every request needs {@code Authorization: Bearer <admin.token>}; a missing or wrong token gets 401, compared in
 * constant time. The endpoint is separate from {@code /metrics} and never shows the token.
 */
final class TeacherAdmin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TeacherAdmin.class);
    private static final int MAX_BODY = 16 * 1024;

    /**
     * Settings {@code admin.*}.
     *
     * @param port  {@code admin.port}: -1 (default) serves no endpoint, 0 any free port
     * @param host  {@code admin.host}: the address to bind
     * @param token {@code admin.token}: required when the endpoint is on, at least 16 characters
     */
    record Config(int port, String host, Secret token) {
        /** No endpoint. */
        static final Config OFF = new Config(-1, "0.0.0.0", null);

        Config {
            ConfigException.require(port >= -1 && port <= 65535, "admin.port", port, "must be -1 (off), 0 (any) or a port");
            if (port >= 0 && (token == null || token.reveal().length() < 16)) {
                throw new ConfigException("setting admin.token is required when admin.port is set, and must be at "
                        + "least 16 characters (set --admin.token=... or KDS_ADMIN_TOKEN, e.g. from `openssl rand "
                        + "-hex 24`)");
            }
        }

        static Config from(Settings s) {
            int port = s.integer(Keys.ADMIN_PORT);
            String host = s.string(Keys.ADMIN_HOST);
            String token = s.string(Keys.ADMIN_TOKEN, "");
            return new Config(port, host, token.isEmpty() ? null : Secret.of(token));
        }

        boolean enabled() {
            return port >= 0;
        }
    }

    /** What the endpoint asks of the service. */
    interface Target {
        /** The running teacher. */
        TeacherModel current();

        /** Loads and swaps in the model the request names; throws ConfigException or another exception on failure. */
        TeacherModel swap(String model, String id, String version);
    }

    private final HttpServer server;
    private final ExecutorService executor;

    TeacherAdmin(Config config, Target target) {
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the admin endpoint on " + config.host() + ":" + config.port()
                    + " (is the port taken? set admin.port)", e);
        }
        server.createContext("/admin/teacher", exchange -> {
            try (exchange) {
                handle(exchange, config.token(), target);
            } catch (RuntimeException e) {
                LOG.warn("admin request failed: {}", e.toString());
            }
        });
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kds-teacher-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    private static void handle(HttpExchange ex, Secret token, Target target) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
        if (!token.matches(given)) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"kdstream-admin\"");
            reply(ex, 401, error(given == null ? "missing bearer token (header Authorization: Bearer <admin.token>)"
                    : "wrong token"));
            return;
        }
        switch (ex.getRequestMethod()) {
            case "GET" -> reply(ex, 200, describe(target.current()));
            case "POST" -> {
                Map<String, String> form = form(ex);
                String model = form.getOrDefault("model", "");
                if (model.isBlank()) {
                    reply(ex, 400, error("field 'model' is required: a model directory or TorchScript file inside "
                            + "teacher.model-root"));
                    return;
                }
                try {
                    reply(ex, 200, describe(target.swap(model, form.getOrDefault("id", ""),
                            form.getOrDefault("version", ""))));
                } catch (ConfigException e) {
                    reply(ex, 400, error(e.getMessage()));
                } catch (RuntimeException e) {
                    reply(ex, 409, error("swap to " + model + " failed, the old teacher keeps running: "
                            + e.getMessage()));
                }
            }
            default -> {
                ex.getResponseHeaders().add("Allow", "GET, POST");
                reply(ex, 405, error("use GET or POST"));
            }
        }
    }

    /** Form fields from the body ({@code application/x-www-form-urlencoded}) and the query string. */
    private static Map<String, String> form(HttpExchange ex) throws IOException {
        Map<String, String> out = new HashMap<>();
        String query = ex.getRequestURI().getRawQuery();
        parse(query, out);
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new IOException("request body larger than " + MAX_BODY + " bytes");
            }
            parse(new String(body, StandardCharsets.UTF_8), out);
        }
        return out;
    }

    private static void parse(String encoded, Map<String, String> out) {
        if (encoded == null || encoded.isBlank()) {
            return;
        }
        for (String pair : encoded.trim().split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
    }

    private static String describe(TeacherModel t) {
        return "{\"id\": \"" + json(t.id()) + "\", \"version\": \"" + json(t.version()) + "\"}";
    }

    private static String error(String message) {
        return "{\"error\": \"" + json(message) + "\"}";
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return b.toString();
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    /** The bound port. */
    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
