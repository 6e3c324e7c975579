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
            "bench images", "bench scale", "bench topk", "run loader", "run augmenter", "run teacher", "run student");

    @Test
    void shouldPrintTheHelpOfEveryCommand() {
        assertTrue(COMMANDS.containsAll(CommandHelp.commands()), "every help text is tested");
        for (String command : COMMANDS) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            Console.Result r = Console.run(() -> Kdstream.run(args.toArray(String[]::new), Map.of()));
            assertEquals(0, r.code(), command + ": " + r.out() + r.err());
            assertTrue(r.out().startsWith("usage: kdstream " + command), command + " printed:\n" + r.out());
            assertTrue(r.out().contains("--engine.threads=auto"), command + " lists the process settings");
        }
    }

    @Test
    void shouldListTheSettingsOfTheCommandWithTheDefaultsInEffectThere() {
        String demo = Console.run(() -> Kdstream.run(new String[] {"demo", "--help"}, Map.of())).out().replaceAll("\\s+", " ");
        assertTrue(demo.contains("--student.lr=4e-3 ") && demo.contains("AdamW's peak learning rate"), demo);
        assertTrue(demo.contains("--pipeline.epochs=5 "), "the demo's own default, not the catalogue's 1");
        assertTrue(demo.contains("--view.student-size ") && demo.contains("(default: view.teacher-size)"), demo);
        String student = Console.run(() -> Kdstream.run(new String[] {"run", "student", "--help"}, Map.of())).out().replaceAll("\\s+", " ");
        assertTrue(student.contains("--pipeline.epochs=1 ") && student.contains("--metrics.port=0 "), student);
        assertTrue(!student.contains("--augment.mix="), "the student does not read the augmenter's settings");
        String images = Console.run(() -> Kdstream.run(new String[] {"bench", "images", "--help"}, Map.of())).out().replaceAll("\\s+", " ");
        assertTrue(images.contains("--bench.per-class=20 ") && !images.substring(images.indexOf("settings (")).contains("--pipeline."), images);
    }
}
