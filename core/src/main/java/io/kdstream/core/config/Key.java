package io.kdstream.core.config;

import java.util.Set;

/**
 * One setting, declared once in the catalogue ({@link Catalogue}, {@code settings.tsv}): its name ({@code --name=value},
 * {@code KDS_NAME}), its type, its default, a one-line meaning and the parts of kdstream that read it. Config records
 * read settings only through keys ({@link Settings#integer(Key)} and the like), so the default in effect, the one
 * {@code --help} prints and the one docs/SETTINGS.md lists are the same text.
 *
 * @param name     e.g. {@code pipeline.epochs}; a name ending in {@code .*} is a family passed through as is
 *                 ({@code kafka.client.*})
 * @param type     what the value must parse as
 * @param fallback the default as a value string, or null when the key has none (optional, required, or computed by
 *                 its reader: then {@code shown} says how)
 * @param shown    the default as people read it ({@code fallback}, a rule such as "one per core", or "none")
 * @param meaning  one line
 * @param readers  who reads it
 */
public record Key(String name, Type type, String fallback, String shown, String meaning, Set<Reader> readers) {
    /** What a value must parse as. */
    public enum Type {
        INTEGER("integer"), NUMBER("number"), BOOLEAN("true/false"), TEXT("text"), PATH("path"), LIST("list"),
        CHOICE("choice");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        /** The type as the settings table names it. */
        public String label() {
            return label;
        }
    }

    /** The parts of kdstream that read settings: a service, a command, or every command of the process. */
    public enum Reader {
        LOADER, AUGMENTER, TEACHER, STUDENT,
        /** Every {@code run} service (metrics endpoint). */
        SERVICES,
        /** Every command, at process start-up (engine and OS tuning). */
        PROCESS,
        DEMO, EXPERIMENT, FAULTS, DATASET, BROKER, ENGINE, AUDIT,
        /** {@code kdstream teacher swap|status}. */
        TEACHER_ADMIN,
        BENCH_DATA, BENCH_TRAIN, BENCH_SCALE, BENCH_IMAGES, BENCH_TOPK;

        /** Lower case, '-' for '_': how the settings table names a reader. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public Key {
        if (!name.matches("[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*(\\.\\*)?")) {
            throw new IllegalArgumentException("bad setting name " + name);
        }
        if (meaning.isBlank() || readers.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a meaning and its readers");
        }
        readers = Set.copyOf(readers);
    }

    /** Whether the key is a pass-through family ({@code kafka.client.*}). */
    public boolean family() {
        return name.endsWith(".*");
    }

    /** For a family, the prefix its members start with ({@code kafka.client.}). */
    public String prefix() {
        return family() ? name.substring(0, name.length() - 1) : name;
    }

    /** Whether {@code reader} reads this key. */
    public boolean readBy(Reader reader) {
        return readers.contains(reader);
    }

    @Override
    public String toString() {
        return name;
    }
}
