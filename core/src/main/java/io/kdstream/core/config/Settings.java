package io.kdstream.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The raw key/value settings of one process, from command-line flags ({@code --loader.epochs=3}) and environment
 * variables ({@code KDS_LOADER_EPOCHS=3}, for compose); flags win. Typed config records read their keys through the
 * getters, which parse and name the key in every error. {@link #requireAllUsed()} then applies the rule for settings
 * nobody read: a flag is an error (it was typed for this command, so a typo must not fall back to a default), while a
 * {@code KDS_} variable is a warning naming it (the environment is shared: a compose service, a container image or a
 * shell profile sets variables for several commands at once, and a command must not refuse to start over another
 * command's setting).
 *
 * <p>Not thread-safe; build the config once at start-up.
 */
public final class Settings {
    /** Prefix of environment variables that carry settings. */
    public static final String ENV_PREFIX = "KDS_";

    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Map<String, String> preset;
    private final Map<String, String> defaults;
    private final Set<String> used = new TreeSet<>();

    private Settings(Map<String, String> flags, Map<String, String> env) {
        this(flags, env, Map.of(), Map.of());
    }

    private Settings(Map<String, String> flags, Map<String, String> env, Map<String, String> preset,
                     Map<String, String> defaults) {
        this.flags = new LinkedHashMap<>(flags);
        this.env = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(ENV_PREFIX)) {
                this.env.put(k, v);
            }
        });
        this.preset = Map.copyOf(preset);
        this.defaults = Map.copyOf(defaults);
    }

    private Settings copy(Map<String, String> newFlags, Map<String, String> newPreset, Map<String, String> newDefaults) {
        Settings c = new Settings(newFlags, env, newPreset, newDefaults);
        c.used.addAll(used);
        return c;
    }

    /** Settings from explicit maps (tests, embedding). */
    public static Settings of(Map<String, String> flags, Map<String, String> env) {
        return new Settings(flags, env);
    }

    /** Settings from flags only. */
    public static Settings of(Map<String, String> flags) {
        return new Settings(flags, Map.of());
    }

    /**
     * Parses {@code --key=value} and bare {@code --flag} (meaning true). Arguments that do not start with {@code --}
     * are returned in {@code positional}.
     */
    public static Settings parse(List<String> args, Map<String, String> env, List<String> positional) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String body = a.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                flags.put(body.substring(0, eq), body.substring(eq + 1));
            } else {
                flags.put(body, "true");
            }
        }
        return new Settings(flags, env);
    }

    /** The environment variable that sets a key: {@code loader.max-ahead} becomes {@code KDS_LOADER_MAX_AHEAD}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * A copy with a command's defaults: they apply where no flag, variable or preset sets the key. Defaults given
     * earlier win over later ones ({@code withDefaults(smoke).withDefaults(demo)}). Keys of a defaults map that this
     * command never reads are not errors (a map may serve several services).
     */
    public Settings withDefaults(Map<String, String> more) {
        more.keySet().forEach(Catalogue::require);
        Map<String, String> merged = new LinkedHashMap<>(defaults);
        more.forEach(merged::putIfAbsent);
        return copy(flags, preset, merged);
    }

    /**
     * A copy with a recipe's values ({@link Preset}): below flags and variables, above the command's defaults, and
     * like defaults not an error where this service does not read them (one preset configures every service).
     */
    public Settings withPreset(Map<String, String> values) {
        values.keySet().forEach(Catalogue::require);
        return copy(flags, values, defaults);
    }

    /** A copy in which {@code overrides} replace flags, variables and defaults (one phase of a composite run). */
    public Settings overriding(Map<String, String> overrides) {
        overrides.keySet().forEach(Catalogue::require);
        Map<String, String> merged = new LinkedHashMap<>(flags);
        merged.putAll(overrides);
        return copy(merged, preset, defaults);
    }

    /** Marks keys read by a derived copy as used here too. */
    public void markUsed(Settings derived) {
        used.addAll(derived.used);
    }

    /** The raw value of a key as given (flag, variable, preset or command default), marking it used. */
    public Optional<String> raw(Key key) {
        return raw(key.name());
    }

    private Optional<String> raw(String key) {
        used.add(key);
        String v = flags.get(key);
        if (v == null) {
            v = env.get(envName(key));
        }
        if (v == null) {
            v = preset.get(key);
        }
        if (v == null) {
            v = defaults.get(key);
        }
        return Optional.ofNullable(v);
    }

    /** Whether the user gave the key: a flag, a variable or a preset, not a command's default (marks it used). */
    public boolean given(Key key) {
        raw(key);
        return flags.containsKey(key.name()) || env.containsKey(envName(key.name())) || preset.containsKey(key.name());
    }

    /** Whether the key was given, by a flag, a variable, a preset or a command default (marks it used). */
    public boolean has(Key key) {
        return raw(key).isPresent();
    }

    /** The value, or the catalogue's default. */
    public String string(Key key) {
        return string(key, fallback(key));
    }

    /** The value, or {@code computed} (for a key whose default its reader computes). */
    public String string(Key key, String computed) {
        return raw(key).orElse(computed);
    }

    /** A value that must be given. */
    public String required(Key key, String hint) {
        return raw(key).orElseThrow(() -> new ConfigException("setting " + key + " is required: " + hint + " (set --"
                + key + "=... or " + envName(key.name()) + ")"));
    }

    public int integer(Key key) {
        return integer(key, parseInt(key, fallback(key)));
    }

    public int integer(Key key, int computed) {
        return raw(key).map(v -> parseInt(key, v)).orElse(computed);
    }

    public long longValue(Key key) {
        return longValue(key, parseLong(key, fallback(key)));
    }

    public long longValue(Key key, long computed) {
        return raw(key).map(v -> parseLong(key, v)).orElse(computed);
    }

    public double real(Key key) {
        return real(key, parseReal(key, fallback(key)));
    }

    public double real(Key key, double computed) {
        return raw(key).map(v -> parseReal(key, v)).orElse(computed);
    }

    public boolean bool(Key key) {
        return parseBool(key, raw(key).orElse(fallback(key)));
    }

    /** An enum constant by case-insensitive name, '-' matching '_'; the catalogue's default when not given. */
    public <E extends Enum<E>> E choice(Key key, Class<E> type) {
        return parseChoice(key, type, raw(key).orElse(fallback(key)));
    }

    /** Like {@link #choice(Key, Class)} with a default the reader computes. */
    public <E extends Enum<E>> E choice(Key key, Class<E> type, E computed) {
        return raw(key).map(v -> parseChoice(key, type, v)).orElse(computed);
    }

    /** A path, or the catalogue's default (empty for a key without one). */
    public Optional<Path> path(Key key) {
        return raw(key).or(() -> Optional.ofNullable(key.fallback())).filter(v -> !v.isBlank()).map(Path::of);
    }

    /** A comma-separated list, empty entries dropped; the catalogue's default, or empty. */
    public List<String> list(Key key) {
        return list(key, split(key.fallback() == null ? "" : key.fallback()));
    }

    /** Like {@link #list(Key)} with a default the reader computes. */
    public List<String> list(Key key, List<String> computed) {
        return raw(key).map(Settings::split).orElse(computed);
    }

    private static List<String> split(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static String fallback(Key key) {
        if (key.fallback() == null) {
            throw new IllegalStateException("setting " + key + " has no default in the catalogue (" + key.shown()
                    + "): its reader must give one");
        }
        return key.fallback();
    }

    private static int parseInt(Key key, String v) {
        return parse(key.name(), v, "an integer", () -> Integer.parseInt(v.trim().replace("_", "")));
    }

    private static long parseLong(Key key, String v) {
        return parse(key.name(), v, "an integer", () -> Long.parseLong(v.trim().replace("_", "")));
    }

    private static double parseReal(Key key, String v) {
        return parse(key.name(), v, "a number", () -> Double.parseDouble(v.trim()));
    }

    private static boolean parseBool(Key key, String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException("setting " + key + "=" + v + " is not a boolean (use true or false)");
        };
    }

    private static <E extends Enum<E>> E parseChoice(Key key, Class<E> type, String v) {
        String norm = v.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(norm)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new ConfigException("setting " + key + "=" + v + " is not one of " + names);
    }

    /**
     * Every flag and environment entry under a prefix, with the prefix removed, e.g. {@code kafka.client.} passes
     * {@code security.protocol} through to the Kafka clients. Environment names map back as lower-case with dots.
     */
    public Map<String, String> withPrefix(Key family) {
        if (!family.family()) {
            throw new IllegalArgumentException(family + " is not a family of settings");
        }
        String prefix = family.prefix();
        Map<String, String> out = new TreeMap<>();
        String envPrefix = envName(prefix);
        env.forEach((k, v) -> {
            if (k.startsWith(envPrefix)) {
                out.put(k.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
                used.add(prefix + k.substring(envPrefix.length()));
            }
        });
        flags.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
                used.add(k);
            }
        });
        return out;
    }

    /**
     * Rejects flags that no config record read and warns, on standard error, about {@code KDS_} variables nobody read;
     * both suggest the closest known key.
     *
     * @throws ConfigException naming every unknown flag
     */
    public void requireAllUsed() {
        requireAllUsed(w -> System.err.println("kdstream: warning: " + w));
    }

    /**
     * Like {@link #requireAllUsed()}, with the warning about unread variables (at most one) given to {@code warn}.
     */
    public void requireAllUsed(java.util.function.Consumer<String> warn) {
        List<String> unknown = new ArrayList<>();
        for (String k : flags.keySet()) {
            if (!used.contains(k)) {
                unknown.add("--" + k + suggestion(k));
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown setting(s): " + String.join(", ", unknown)
                    + ". Run with --help to list the settings of this command.");
        }
        List<String> unread = unreadEnvironment();
        if (!unread.isEmpty()) {
            warn.accept("ignoring environment variable(s) this command does not read: " + String.join(", ", unread)
                    + ". If one is meant for this command its name is misspelt and its default applies; run with --help "
                    + "to list the settings.");
        }
    }

    /** The {@code KDS_} variables no config record read, each with a suggestion when a known key is close. */
    public List<String> unreadEnvironment() {
        Set<String> usedEnv = new TreeSet<>();
        used.forEach(k -> usedEnv.add(envName(k)));
        List<String> unread = new ArrayList<>();
        for (String k : env.keySet()) {
            if (!usedEnv.contains(k)) {
                unread.add(k + suggestion(k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT)));
            }
        }
        return unread;
    }

    private String suggestion(String key) {
        String norm = key.replace('_', '.').replace('-', '.');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String u : used) {
            int d = distance(norm, u.replace('-', '.'));
            if (d < bestDistance) {
                bestDistance = d;
                best = u;
            }
        }
        return best != null && bestDistance <= Math.max(2, norm.length() / 4) ? " (did you mean --" + best + "?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private interface Parser<T> {
        T parse();
    }

    private static <T> T parse(String key, String value, String what, Parser<T> p) {
        try {
            return p.parse();
        } catch (RuntimeException e) {
            throw new ConfigException("setting " + key + "=" + value + " is not " + what + " (set --" + key
                    + "=... or " + envName(key) + ")");
        }
    }
}
