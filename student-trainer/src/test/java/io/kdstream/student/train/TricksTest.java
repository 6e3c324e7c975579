package io.kdstream.student.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.kdstream.core.config.Preset;
import io.kdstream.core.config.Settings;
import io.kdstream.models.Architecture;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.Models;
import io.kdstream.models.Tweak;
import io.kdstream.student.StudentConfig;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bag of Tricks pieces of the student: label smoothing, linear LR scaling, no bias decay; and the presets. */
class TricksTest {
    @Test
    void shouldSmoothLabelsAsComputedByHand() {
        // K = 4; a one-hot row, a mixed row (0.7 / 0.3) and an unlabelled row (zeros), eps = 0.1
        float[] y = {0, 1, 0, 0, 0.7f, 0, 0.3f, 0, 0, 0, 0, 0};
        float[] smoothed = StudentLoop.smoothLabels(y, 4, 0.1f);
        assertArrayEquals(new float[] {0.025f, 0.925f, 0.025f, 0.025f, 0.655f, 0.025f, 0.295f, 0.025f, 0, 0, 0, 0},
                smoothed, 1e-6f);
        assertEquals(1.0, smoothed[0] + smoothed[1] + smoothed[2] + smoothed[3], 1e-6);
        assertTrue(StudentLoop.smoothLabels(y, 4, 0f) == y, "eps 0 leaves the targets alone");
    }

    @Test
    void shouldScaleTheLearningRateLinearlyWithTheBatch() {
        assertEquals(4e-3, StudentConfig.linearScaling(4e-3, 256), 1e-12);
        assertEquals(8e-3, StudentConfig.linearScaling(4e-3, 512), 1e-12);
        assertEquals(1e-3, StudentConfig.linearScaling(4e-3, 64), 1e-12);
        StudentConfig c = StudentConfig.from(Settings.of(Map.of("student.lr-per-256", "0.1", "pipeline.batch-size",
                "128", "pipeline.epochs", "10", "student.warmup-epochs", "0")), 1280, 10, 1, 1);
        assertEquals(0.05, c.options().schedule().rate(0), 1e-9, "the schedule starts at base * 128 / 256");
    }

    @Test
    void shouldDecayConvAndLinearWeightsButNotBiasesOrNormParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelSpec spec = new ModelSpec(Architecture.RESNET, 4, 1, 10, 1, 28, new float[] {0.5f},
                    new float[] {0.25f}, Set.of(Tweak.D));
            Block b = Models.newBlock(spec);
            b.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            int decayed = 0;
            int exempt = 0;
            for (Pair<String, Parameter> p : b.getParameters()) {
                Parameter.Type type = p.getValue().getType();
                boolean decays = AdamW.decaysWeightsOnly(p.getKey());
                if (type == Parameter.Type.WEIGHT) {
                    assertTrue(decays, p.getKey() + " is a weight");
                    decayed++;
                } else if (type == Parameter.Type.BIAS || type == Parameter.Type.GAMMA || type == Parameter.Type.BETA) {
                    assertFalse(decays, p.getKey() + " is a " + type);
                    exempt++;
                }
            }
            assertTrue(decayed > 10 && exempt > 10, decayed + " decayed, " + exempt + " exempt");
        }
    }

    @Test
    void shouldApplyPresetsUnderFlagsAndVariables() {
        Settings usi = Preset.apply(Settings.of(Map.of("preset", "usi", "student.kd-weight", "3")));
        StudentConfig c = StudentConfig.from(usi, 1280, 10, 1, 1);
        assertEquals(3f, c.options().kdWeight(), "a flag overrides the preset");
        assertEquals(1f, c.options().ceWeight());
        assertEquals(1f, c.options().temperature());
        assertEquals(0.02f, c.options().weightDecay());
        usi.requireAllUsed(); // the preset's augment.* keys are not this service's and are not errors

        Settings fm = Preset.apply(Settings.of(Map.of("preset", "funmatch"), Map.of("KDS_STUDENT_CLIP_NORM", "2")));
        StudentConfig f = StudentConfig.from(fm, 1280, 10, 1, 1);
        assertEquals(0f, f.options().ceWeight(), "KD only");
        assertEquals(2f, f.options().clipNorm(), "a variable overrides the preset");

        StudentConfig bot = StudentConfig.from(Preset.apply(Settings.of(Map.of("preset", "bag-of-tricks"))), 1280,
                10, 1, 1);
        assertEquals(Architecture.RESNET, bot.spec().arch());
        assertEquals(Set.of(Tweak.B, Tweak.C, Tweak.D, Tweak.ZERO_GAMMA), bot.spec().tweaks());
        assertEquals(0.1f, bot.options().labelSmoothing(), 1e-6f);
        assertEquals(StudentConfig.Mode.SUPERVISED, bot.mode());
        assertEquals(StudentConfig.linearScaling(4e-3, 128), bot.options().schedule().baseLr(), 1e-12);
    }
}
