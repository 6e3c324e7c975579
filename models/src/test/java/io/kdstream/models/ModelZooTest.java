package io.kdstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The model zoo: every family builds for 1 and 3 channels and sizes from 28 up; the Bag of Tricks options. */
class ModelZooTest {
    private static ModelSpec spec(Architecture arch, int channels, int size, Set<Tweak> tweaks) {
        float[] mean = channels == 1 ? new float[] {0.5f} : new float[] {0.5f, 0.5f, 0.5f};
        float[] std = channels == 1 ? new float[] {0.25f} : new float[] {0.25f, 0.25f, 0.25f};
        return new ModelSpec(arch, 4, 1, 7, channels, size, mean, std, tweaks);
    }

    private static Block initialised(NDManager m, ModelSpec spec) {
        Block b = Models.newBlock(spec);
        b.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        b.initialize(m, DataType.FLOAT32, new Shape(2, spec.channels(), spec.size(), spec.size()));
        return b;
    }

    private static NDArray forward(NDManager m, Block b, ModelSpec spec) {
        NDArray x = m.randomNormal(new Shape(2, spec.channels(), spec.size(), spec.size()));
        return b.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
    }

    @Test
    void shouldBuildEveryFamilyForGreyAndColourImagesOfAnySizeFrom28() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (Architecture arch : Architecture.values()) {
                for (int channels : new int[] {1, 3}) {
                    for (int size : new int[] {28, 33, 64}) {
                        Set<Tweak> all = arch == Architecture.CNN ? Set.of() : EnumSet.allOf(Tweak.class);
                        for (Set<Tweak> tweaks : List.of(Set.<Tweak>of(), all)) {
                            ModelSpec s = spec(arch, channels, size, tweaks);
                            Block b = initialised(m, s);
                            assertEquals(new Shape(2, 7), forward(m, b, s).getShape(), s.describe());
                            assertEquals(new Shape(2, 7), b.getOutputShapes(
                                    new Shape[] {new Shape(2, channels, size, size)})[0], s.describe());
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldPoolThenProjectInTheResNetDShortcut() {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(1, 8, 28, 28);
            for (boolean d : new boolean[] {false, true}) {
                Block shortcut = Architecture.shortcut(8, 32, 2, d);
                shortcut.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
                shortcut.initialize(m, DataType.FLOAT32, in);
                assertEquals(new Shape(1, 32, 14, 14), shortcut.getOutputShapes(new Shape[] {in})[0]);
                NDArray out = shortcut.forward(new ParameterStore(m, false), new NDList(m.randomNormal(in)), false)
                        .singletonOrThrow();
                assertEquals(new Shape(1, 32, 14, 14), out.getShape());
                // D: the 1x1 convolution sees every input pixel (after 2x2 averaging); plain: a stride-2 1x1 conv
                Shape convKernel = null;
                for (Pair<String, Parameter> p : shortcut.getParameters()) {
                    if (p.getValue().getType() == Parameter.Type.WEIGHT && p.getValue().getArray().getShape()
                            .dimension() == 4) {
                        convKernel = p.getValue().getArray().getShape();
                    }
                }
                assertEquals(new Shape(32, 8, 1, 1), convKernel);
                String first = shortcut.getChildren().get(0).getValue().getClass().getSimpleName();
                assertEquals(d, first.contains("Lambda") || first.contains("Pool"), "D starts with pooling: " + first);
            }
            // an identity shortcut when nothing changes
            assertTrue(Architecture.shortcut(16, 16, 1, true).getParameters().isEmpty());
        }
    }

    @Test
    void shouldStartEveryResidualBranchAtZeroGammaWhenAsked() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (Architecture arch : List.of(Architecture.RESNET, Architecture.MOBILENET)) {
                for (boolean zero : new boolean[] {false, true}) {
                    ModelSpec s = new ModelSpec(arch, 4, 2, 10, 1, 28, new float[] {0.5f}, new float[] {0.25f},
                            zero ? Set.of(Tweak.ZERO_GAMMA) : Set.of());
                    Block b = initialised(m, s);
                    int zeroGammas = 0;
                    int gammas = 0;
                    for (Pair<String, Parameter> p : b.getParameters()) {
                        if (p.getValue().getType() == Parameter.Type.GAMMA) {
                            gammas++;
                            if (p.getValue().getArray().abs().sum().getFloat() == 0f) {
                                zeroGammas++;
                            }
                        }
                    }
                    // resnet: one per bottleneck (3 stages x depth 2); mobilenet: one per inverted residual block
                    assertEquals(zero ? 6 : 0, zeroGammas, arch + " of " + gammas + " gammas");
                }
            }
        }
    }

    @Test
    void shouldUseThreeConvolutionsInTheResNetCStem() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelSpec plain = spec(Architecture.RESNET, 1, 28, Set.of());
            ModelSpec c = spec(Architecture.RESNET, 1, 28, Set.of(Tweak.C));
            // stem conv weights: plain one 3x3 conv 1->4; C: 1->2, 2->2, 2->4
            long plainStem = 4 * 9;
            long cStem = 2 * 9 + 2 * 2 * 9 + 2 * 4 * 9;
            long extraBn = 2 * 2 * 4; // two more batch norms of 2 channels (gamma, beta, running mean and variance)
            assertEquals(cStem - plainStem + extraBn,
                    Models.parameterCount(initialised(m, c)) - Models.parameterCount(initialised(m, plain)));
        }
    }

    @Test
    void shouldKeepTweaksInSavedSpecsAndRejectUnknownOnes() {
        ModelSpec s = spec(Architecture.RESNET, 3, 32, EnumSet.of(Tweak.B, Tweak.D, Tweak.ZERO_GAMMA));
        assertEquals(s, ModelSpec.fromProperties(s.toProperties(), "test"));
        assertEquals("resnet w4 d1 b+d+zero-gamma 32px 7 classes", s.describe());
        assertEquals(spec(Architecture.CNN, 1, 28, Set.of()),
                ModelSpec.fromProperties(spec(Architecture.CNN, 1, 28, Set.of()).toProperties(), "test"));
        assertThrows(IllegalArgumentException.class, () -> Tweak.parse(List.of("e")));
    }
}
