package io.kdstream.app;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The front every small command shares: settings from {@code --key=value} flags and {@code KDS_} variables,
 * {@code --help}, no positional arguments, and the rule for settings nobody read (an unknown flag stops the command,
 * an unread variable is a warning). Errors print one line naming the setting and give exit status 2.
 */
public final class CommandLine {
    private CommandLine() {
    }

    /** Reads a command's values from its settings; throws {@link ConfigException} naming a bad one. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Settings s);
    }

    /**
     * A command's values, or the exit status when it must stop before running: 0 after {@code --help}, 2 after a
     * bad setting.
     */
    public record Parsed<T>(T value, int exit) {
        public boolean run() {
            return value != null;
        }
    }

    /**
     * Parses {@code args} and {@code env} for the command {@code name}.
     *
     * @param help printed for {@code --help}
     */
    public static <T> Parsed<T> parse(String name, String help, List<String> args, Map<String, String> env, Reader<T> reader) {
        List<String> positional = new ArrayList<>();
        Settings s = Settings.parse(args, env, positional);
        try {
            if (s.bool(Keys.HELP)) {
                System.out.print(CommandHelp.of(name).orElse(help));
                return new Parsed<>(null, 0);
            }
            T value = reader.read(s);
            if (!positional.isEmpty()) {
                throw new ConfigException("unexpected argument(s) " + positional + "; settings are --key=value");
            }
            s.requireAllUsed();
            return new Parsed<>(value, 0);
        } catch (ConfigException e) {
            System.err.println("kdstream " + name + ": " + e.getMessage());
            return new Parsed<>(null, 2);
        }
    }

    /**
     * Like {@link #parse} for a command with one action word ({@code teacher swap}, {@code dataset prepare}):
     * {@code args} must start with it; without it the command prints its help (asked for) or the usage.
     */
    public static <T> Parsed<T> parseAction(String command, String action, String help, List<String> args,
                                     Map<String, String> env, Reader<T> reader) {
        if (!args.isEmpty() && args.get(0).equals(action)) {
            return parse(command + " " + action, help, args.subList(1, args.size()), env, reader);
        }
        if (args.contains("--help")) {
            System.out.print(CommandHelp.of(command + " " + action).orElse(help));
            return new Parsed<>(null, 0);
        }
        return new Parsed<>(null, Kdstream.usage(command + " needs an action: " + command + " " + action
                + " (--help lists its settings)"));
    }
}
