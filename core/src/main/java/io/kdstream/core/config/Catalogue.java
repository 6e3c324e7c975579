package io.kdstream.core.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every setting kdstream reads, each declared once as a {@link Key} in {@link DataKeys}, {@link TrainingKeys},
 * {@link ServiceKeys} or {@link ToolKeys}. {@link Settings} reads only declared keys and refuses defaults and
 * overrides for undeclared ones, so nothing reads a key this catalogue (and so {@code --help} and
 * docs/SETTINGS.md) does not list.
 */
public final class Catalogue {
    private static final Map<String, Key> KEYS = load();

    private Catalogue() {
    }

    private static Map<String, Key> load() {
        Map<String, Key> keys = new TreeMap<>();
        for (Class<?> c : List.of(DataKeys.class, TrainingKeys.class, ServiceKeys.class, ToolKeys.class)) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType() == Key.class && Modifier.isStatic(f.getModifiers())) {
                    try {
                        Key k = (Key) f.get(null);
                        if (keys.put(k.name(), k) != null) {
                            throw new IllegalStateException("setting " + k.name() + " is declared twice");
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return Collections.unmodifiableMap(keys);
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
        return find(name).orElseThrow(() -> new IllegalStateException("setting " + name
                + " is not declared in the settings catalogue (io.kdstream.core.config.Catalogue)"));
    }
}
