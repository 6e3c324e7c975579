package io.kdstream.app;

import io.kdstream.core.config.Catalogue;
import io.kdstream.core.config.Key;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings part of every command's {@code --help}, and docs/SETTINGS.md, both written from the settings catalogue
 * ({@link Catalogue}): each key with its default (the command's own where it sets one) and its meaning.
 */
final class SettingsHelp {
    private static final int WIDTH = 118;
    private static final int KEY_COLUMN = 36;

    private SettingsHelp() {
    }

    /** The settings a command reads: its readers' keys, with the command's own defaults where it has them. */
    static String listing(Set<Key.Reader> readers, Map<String, String> commandDefaults) {
        StringBuilder out = new StringBuilder("\nsettings (--key=value, or the variable KDS_KEY; docs/SETTINGS.md):\n");
        for (Key k : Catalogue.all()) {
            if (k == Keys.HELP || k.readers().stream().noneMatch(readers::contains)) {
                continue;
            }
            String own = commandDefaults.get(k.name());
            String head = "  --" + k.name() + (own != null ? "=" + own : k.fallback() != null && !k.fallback().isEmpty()
                    ? "=" + k.fallback() : "");
            String meaning = k.meaning().replace("`", "") + (own == null && k.fallback() == null
                    && !k.shown().equals("none") ? " (default: " + k.shown().replace("`", "") + ")" : "");
            out.append(wrap(head, meaning));
        }
        return out.toString();
    }

    private static String wrap(String head, String text) {
        StringBuilder out = new StringBuilder(head);
        int col = head.length();
        if (col >= KEY_COLUMN) {
            out.append('\n');
            col = 0;
        }
        String pad = " ".repeat(KEY_COLUMN);
        out.append(" ".repeat(KEY_COLUMN - col));
        col = KEY_COLUMN;
        for (String word : text.split(" ")) {
            if (col > KEY_COLUMN && col + 1 + word.length() > WIDTH) {
                out.append('\n').append(pad);
                col = KEY_COLUMN;
            } else if (col > KEY_COLUMN) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.append('\n').toString();
    }

    /**
     * docs/SETTINGS.md: every key of the catalogue by area, with type, default (and the commands that set another),
     * readers and meaning.
     *
     * @param commandDefaults each command's own defaults, by command name
     */
    static String markdown(Map<String, Map<String, String>> commandDefaults) {
        StringBuilder out = new StringBuilder("""
                # Settings

                <!-- Written by `./kdstream settings > docs/SETTINGS.md` from the settings catalogue
                     (core/src/main/resources/io/kdstream/core/config/settings.tsv); SettingsDocTest fails when it is
                     stale. -->

                Every setting is a `--key=value` flag or a `KDS_<KEY>` environment variable (`--pipeline.epochs=3` or
                `KDS_PIPELINE_EPOCHS=3`); a flag wins over a variable, both win over a preset (`--preset`,
                [RECIPES.md](RECIPES.md)), and a preset wins over a command's own defaults. A flag a command does not
                read is an error; a `KDS_` variable it does not read is one warning naming it. `kdstream COMMAND --help`
                lists the settings of one command with the defaults in effect there.

                """);
        Map<String, List<Key>> areas = new TreeMap<>();
        for (Key k : Catalogue.all()) {
            int dot = k.name().indexOf('.');
            areas.computeIfAbsent(dot < 0 ? "command" : k.name().substring(0, dot), a -> new ArrayList<>()).add(k);
        }
        for (Map.Entry<String, List<Key>> area : areas.entrySet()) {
            out.append("## ").append(area.getKey()).append("\n\n")
                    .append("| setting | type | default | read by | meaning |\n|---|---|---|---|---|\n");
            for (Key k : area.getValue()) {
                List<String> readers = new ArrayList<>();
                k.readers().stream().sorted().forEach(r -> readers.add(r.label()));
                out.append("| `").append(k.name()).append("` | ").append(k.type().label()).append(" | ")
                        .append(shownDefault(k, commandDefaults)).append(" | ").append(String.join(", ", readers))
                        .append(" | ").append(k.meaning().replace("|", "\\|")).append(" |\n");
            }
            out.append('\n');
        }
        out.append("Environment variable of a setting: `KDS_` and the key in capitals, `.` and `-` as `_` (`")
                .append(Settings.envName("loader.max-ahead-batches")).append("`).\n");
        return out.toString();
    }

    private static String shownDefault(Key k, Map<String, Map<String, String>> commandDefaults) {
        String shown = k.fallback() != null ? (k.fallback().isEmpty() ? "empty" : "`" + k.fallback() + "`")
                : k.shown();
        Map<String, String> others = new LinkedHashMap<>();
        commandDefaults.forEach((command, defaults) -> {
            String v = defaults.get(k.name());
            if (v != null && !v.equals(k.fallback())) {
                others.merge(v, command, (a, b) -> a + ", " + b);
            }
        });
        List<String> parts = new ArrayList<>();
        others.forEach((v, commands) -> parts.add(commands + ": `" + v + "`"));
        return parts.isEmpty() ? shown : shown + " (" + String.join("; ", parts) + ")";
    }
}
