package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --help} answers on every command: exit 0 and a usage line naming the command, nothing run. */
class HelpTest {
    private static final List<String> COMMANDS = List.of("demo", "train-teacher", "stream", "broker", "engine",
            "faults", "experiment", "audit", "dataset prepare", "teacher swap", "bench data", "bench train",
            "bench images", "bench scale", "run loader", "run augmenter", "run teacher", "run student");

    @Test
    void shouldPrintTheHelpOfEveryCommand() {
        assertTrue(COMMANDS.containsAll(CommandHelp.commands()), "every help text is tested");
        for (String command : COMMANDS) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            Console.Result r = Console.run(() -> Kdstream.run(args.toArray(String[]::new), Map.of()));
            assertEquals(0, r.code(), command + ": " + r.out() + r.err());
            assertTrue(r.out().startsWith("usage: kdstream " + command), command + " printed:\n" + r.out());
        }
    }
}
