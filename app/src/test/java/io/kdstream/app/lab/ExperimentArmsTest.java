package io.kdstream.app.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentArmsTest {
    private static final List<Experiment.Arm> ARMS = List.of(new Experiment.Arm("a", Map.of(), ""),
            new Experiment.Arm("b", Map.of(), ""), new Experiment.Arm("c", Map.of(), ""));

    @Test
    void shouldRunTheNumberedArmsInTheExperimentsOrder() {
        assertEquals(ARMS, Experiment.pick(ARMS, List.of(), "x"), "none named: all");
        assertEquals(List.of(ARMS.get(0), ARMS.get(2)), Experiment.pick(ARMS, List.of("3", " 1", "3"), "x"));
    }

    @Test
    void shouldRefuseANumberThatIsNoArmAndListTheArms() {
        for (String bad : List.of("0", "4", "b")) {
            ConfigException e = assertThrows(ConfigException.class, () -> Experiment.pick(ARMS, List.of(bad), "x"));
            assertTrue(e.getMessage().contains("experiment.arms") && e.getMessage().contains("1 = a; 2 = b; 3 = c"),
                    e.getMessage());
        }
    }

    @Test
    void shouldListTheRunsThatDidNotFinish() {
        assertEquals("", Experiment.failures(List.of()));
        String f = Experiment.failures(List.of(new Experiment.Run(ARMS.get(1), 44, null, "./kdstream demo --x=1", "live",
                "student: training diverged: ...; stopped")));
        assertTrue(f.contains("Runs that did not finish") && f.contains("- b, seed 44: student: training diverged: ...; "
                + "stopped (`./kdstream demo --x=1`)"), f);
    }
}
