package io.kdstream.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Setting {@code pipeline.run}: the id of one training run. When set, every topic and consumer group of the run is
 * named {@code <kafka.topic-prefix><run>.<topic>} and the student keeps its checkpoints in {@code <student.out>/<run>},
 * so a new run never reads an old run's records or resumes an old run's checkpoint, and naming an earlier run resumes
 * it. Unset (the default), names are {@code <kafka.topic-prefix><topic>} and {@code <student.out>} as before.
 *
 * <p>A value {@code @FILE} reads the id from that file (the compose cluster mints one per {@code up} into a shared
 * volume). Ids are 1 to 64 characters of letters, digits, '.', '_' and '-'.
 */
public final class RunId {
    /** The setting's key. */
    public static final Key KEY = Keys.PIPELINE_RUN;
    private static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    private RunId() {
    }

    /** The run id the settings name, if any. */
    public static Optional<String> from(Settings s) {
        Optional<String> raw = s.raw(KEY).map(String::trim).filter(v -> !v.isEmpty());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String v = raw.get();
        if (v.startsWith("@")) {
            Path file = Path.of(v.substring(1));
            try {
                v = Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new ConfigException("setting " + KEY + "=" + raw.get() + ": cannot read the run id from " + file
                        + " (" + e + "); in the compose cluster the run-init service writes it, so check that it ran "
                        + "(docker compose logs run-init), or give the id itself (--" + KEY + "=ID)");
            }
        }
        return Optional.of(validate(v, raw.get()));
    }

    /** Checks an id's characters; {@code given} is what the user wrote, for the message. */
    public static String validate(String id, String given) {
        if (!id.matches(PATTERN)) {
            throw new ConfigException("setting " + KEY + "=" + given + " gives the run id '" + id + "', which is not 1 to "
                    + "64 letters, digits, '.', '_' or '-' starting with a letter or digit (set --" + KEY + "=ID or "
                    + Settings.envName(KEY.name()) + ")");
        }
        return id;
    }
}
