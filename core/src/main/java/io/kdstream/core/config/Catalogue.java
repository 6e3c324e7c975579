package io.kdstream.core.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every setting kdstream reads, each declared once, as one row of {@code settings.tsv} next to this class: its key,
 * type, default, readers and meaning. Code reads settings through handles ({@link Keys}); {@link Settings} reads
 * only declared keys and refuses defaults and overrides for undeclared ones, so nothing reads a key this catalogue
 * (and so {@code --help} and docs/SETTINGS.md) does not list. The file is read once, when the first handle is; a
 * malformed row stops the process naming it.
 */
public final class Catalogue {
    private static final String FILE = "settings.tsv";
    private static final Map<String, Key> KEYS = load();

    private Catalogue() {
    }

    private static Map<String, Key> load() {
        Map<String, Key> keys = new TreeMap<>();
        try (InputStream in = Catalogue.class.getResourceAsStream(FILE)) {
            if (in == null) {
                throw new IllegalStateException("the settings catalogue " + FILE + " is missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Key k = parse(line, n);
                if (keys.put(k.name(), k) != null) {
                    throw new IllegalStateException(FILE + " line " + n + ": setting " + k.name() + " is declared twice");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(keys);
    }

    private static Key parse(String line, int n) {
        String[] f = line.split("\t", -1);
        try {
            if (f.length != 5 || f[2].isEmpty() || "=~".indexOf(f[2].charAt(0)) < 0) {
                throw new IllegalArgumentException("need 5 tab-separated columns: key, type, =default or ~rule, "
                        + "readers, meaning");
            }
            Key.Type type = Key.Type.valueOf(f[1].toUpperCase(Locale.ROOT));
            Set<Key.Reader> readers = EnumSet.noneOf(Key.Reader.class);
            for (String reader : f[3].split(",")) {
                readers.add(Key.Reader.valueOf(reader.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            }
            String value = f[2].substring(1);
            boolean given = f[2].charAt(0) == '=';
            return new Key(f[0], type, given ? value : null, value, f[4], readers);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(FILE + " line " + n + " (" + line + "): " + e.getMessage(), e);
        }
    }

    /** The handle of a declared key; an undeclared name is a programming error. */
    static Key key(String name) {
        return require(name);
    }

    /** Every key, by name. */
    public static List<Key> all() {
        return List.copyOf(KEYS.values());
    }

    /** The keys {@code reader} reads, by name. */
    public static List<Key> readBy(Key.Reader reader) {
        List<Key> out = new ArrayList<>();
        for (Key k : KEYS.values()) {
            if (k.readBy(reader)) {
                out.add(k);
            }
        }
        out.sort(Comparator.comparing(Key::name));
        return out;
    }

    /** The key a setting name belongs to: its own, or the family ({@code kafka.client.*}) it falls in. */
    public static Optional<Key> find(String name) {
        Key k = KEYS.get(name);
        if (k != null) {
            return Optional.of(k);
        }
        for (Key f : KEYS.values()) {
            if (f.family() && name.startsWith(f.prefix()) && name.length() > f.prefix().length()) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The key named {@code name}; an undeclared name is a programming error. */
    static Key require(String name) {
        return find(name).filter(k -> k.name().equals(name) || k.family()).orElseThrow(() ->
                new IllegalStateException("setting " + name + " is not declared in the settings catalogue ("
                        + "core/src/main/resources/io/kdstream/core/config/" + FILE + ")"));
    }
}
