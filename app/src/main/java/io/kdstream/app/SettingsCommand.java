package io.kdstream.app;

import java.util.List;

/** {@code kdstream settings}: every setting of every command as Markdown (how docs/SETTINGS.md is written). */
final class SettingsCommand {
    static final String HELP = """
            usage: kdstream settings

            Prints every setting kdstream reads, from its settings catalogue: type, default (and the commands
            that set another), the parts that read it, and its meaning, as Markdown. docs/SETTINGS.md is its
            output: ./kdstream settings > docs/SETTINGS.md
            """;

    private SettingsCommand() {
    }

    static int run(List<String> args) {
        if (args.contains("--help")) {
            System.out.print(HELP);
            return 0;
        }
        if (!args.isEmpty()) {
            return Kdstream.usage("settings takes no arguments (got " + args + ")");
        }
        System.out.print(markdown());
        return 0;
    }

    /** docs/SETTINGS.md as it should read. */
    static String markdown() {
        return SettingsHelp.markdown(CommandHelp.commandDefaults());
    }
}
