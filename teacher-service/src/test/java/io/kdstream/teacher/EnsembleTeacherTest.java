package io.kdstream.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Settings;
import io.kdstream.core.wire.View;
import io.kdstream.models.LogitsFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Teacher ensembles: weighted average of probabilities, as a logarithm; loading several real teachers. */
class EnsembleTeacherTest {
    /** A teacher that answers the same logits for every image. */
    private record Constant(float[] row) implements LogitsFunction {
        @Override
        public float[] logits(View view) {
            float[] out = new float[view.count() * row.length];
            for (int i = 0; i < view.count(); i++) {
                System.arraycopy(row, 0, out, i * row.length, row.length);
            }
            return out;
        }

        @Override
        public int classes() {
            return row.length;
        }

        @Override
        public int inputSize() {
            return 4;
        }
    }

    @Test
    void shouldAverageProbabilitiesWithWeightsAsComputedByHand() {
        // teacher a: logits (0, ln 3) -> p = (1/4, 3/4); teacher b: (ln 4, 0) -> p = (4/5, 1/5); weights 3 : 1
        EnsembleTeacher e = new EnsembleTeacher(List.of(new Constant(new float[] {0, (float) Math.log(3)}),
                new Constant(new float[] {(float) Math.log(4), 0})), List.of(3.0, 1.0));
        assertArrayEquals(new double[] {0.75, 0.25}, e.weights(), 1e-12);
        float[] out = e.logits(new View(2, 4, 4, 1, new float[32]));
        double p0 = 0.75 * 0.25 + 0.25 * 0.8;
        double p1 = 0.75 * 0.75 + 0.25 * 0.2;
        assertArrayEquals(new float[] {(float) Math.log(p0), (float) Math.log(p1), (float) Math.log(p0),
                (float) Math.log(p1)}, out, 1e-6f);
        float[][] each = e.memberLogits(new View(2, 4, 4, 1, new float[32]));
        assertEquals(2, each.length);
        assertArrayEquals(out, e.average(each), 0f, "the average is computed from the members' logits");
        assertThrows(ConfigException.class, () -> new EnsembleTeacher(List.of(new Constant(new float[2]),
                new Constant(new float[3])), List.of()));
    }

    @Test
    void shouldLoadEveryMemberFromTheModelRoot(@TempDir Path tmp) throws Exception {
        Path shipped = Path.of(System.getProperty("kdstream.testdata", "testdata")).resolveSibling(
                "teachers/fashion-cnn32");
        for (String name : List.of("a", "b")) {
            Files.createDirectories(tmp.resolve(name));
            for (String f : List.of("model.properties", "model.params")) {
                Files.copy(shipped.resolve(f), tmp.resolve(name).resolve(f));
            }
        }
        TeacherConfig c = TeacherConfig.from(Settings.of(Map.of("teacher.model", tmp.resolve("a").toString(),
                "teacher.ensemble", tmp.resolve("b").toString(), "teacher.ensemble-weights", "1,3",
                "teacher.device", "cpu")));
        assertEquals("a+b", c.id());
        View v = new View(3, 28, 28, 1, new float[3 * 28 * 28]);
        for (int i = 0; i < v.pixels().length; i++) {
            v.pixels()[i] = (i * 37) % 256;
        }
        try (TeacherModel ensemble = TeacherModel.load(c);
             TeacherModel single = TeacherModel.load(c.member(tmp.resolve("a")))) {
            float[] z = single.logits().logits(v);
            float[] e = ensemble.logits().logits(v);
            // two copies of one teacher: the ensemble's probabilities are that teacher's (log-softmax of its logits)
            for (int row = 0; row < 3; row++) {
                float[] p = FixedTeacher.softmax(z, row * 10, 10);
                for (int j = 0; j < 10; j++) {
                    assertEquals(Math.log(p[j]), e[row * 10 + j], 1e-4);
                }
            }
        }
        assertThrows(ConfigException.class, () -> TeacherConfig.from(Settings.of(Map.of("teacher.model",
                tmp.resolve("a").toString(), "teacher.ensemble", "/etc"))), "members stay inside the model root");
        assertThrows(ConfigException.class, () -> TeacherConfig.from(Settings.of(Map.of("teacher.model",
                tmp.resolve("a").toString(), "teacher.ensemble", tmp.resolve("b").toString(),
                "teacher.ensemble-weights", "1"))), "one weight per teacher");
    }
}
