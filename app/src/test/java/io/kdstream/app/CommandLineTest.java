package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    private static final CommandLine.Reader<Integer> EPOCHS = s -> s.integer(io.kdstream.core.config.Keys.PIPELINE_EPOCHS);

    @Test
    void shouldRunWithAnUnreadVariableButStopOnAnUnknownFlag() {
        // an image's environment carries other commands' settings: a warning, not a refusal
        CommandLine.Parsed<Integer> p = CommandLine.parse("x", "help", List.of("--pipeline.epochs=3"),
                Map.of("KDS_METRICS_PORT", "9400"), EPOCHS);
        assertTrue(p.run());
        assertEquals(3, p.value());
        CommandLine.Parsed<Integer> typo = CommandLine.parse("x", "help", List.of("--pipeline.epoch=3"), Map.of(),
                EPOCHS);
        assertFalse(typo.run());
        assertEquals(2, typo.exit());
    }

    @Test
    void shouldAnswerHelpWithoutReadingTheSettings() {
        CommandLine.Parsed<Integer> p = CommandLine.parse("x", "help", List.of("--help"), Map.of(), s -> {
            throw new AssertionError("help must not need the command's required settings");
        });
        assertFalse(p.run());
        assertEquals(0, p.exit());
    }

    @Test
    void shouldHelpAndCheckTheNewCommands() {
        assertEquals(0, Kdstream.run(new String[] {"teacher", "swap", "--help"}, Map.of()));
        assertEquals(0, Kdstream.run(new String[] {"teacher", "--help"}, Map.of()));
        assertEquals(0, Kdstream.run(new String[] {"dataset", "prepare", "--help"}, Map.of()));
        assertEquals(0, Kdstream.run(new String[] {"audit", "--help"}, Map.of()));
        assertEquals(0, Kdstream.run(new String[] {"bench", "images", "--help"}, Map.of()));
        assertEquals(2, Kdstream.run(new String[] {"teacher", "swop"}, Map.of()));
        // the swap needs a target and a token of 16+ characters, and says so before touching Kafka
        assertEquals(2, Kdstream.run(new String[] {"teacher", "swap", "--admin.token=0123456789abcdef"}, Map.of()));
        assertEquals(2, Kdstream.run(new String[] {"teacher", "swap", "--to=m", "--admin.token=short"}, Map.of()));
        assertEquals(2, Kdstream.run(new String[] {"dataset", "prepare"}, Map.of()));
    }
}
