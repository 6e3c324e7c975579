package io.kdstream.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.kdstream.core.wire.View;
import io.kdstream.models.Architecture;
import io.kdstream.models.ModelSpec;
import io.kdstream.models.TorchScriptModel;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TorchScriptTeacherTest {
    static Path fixture(String name) throws URISyntaxException {
        return Path.of(TorchScriptTeacherTest.class.getResource("/torchscript/" + name).toURI());
    }

    /** The pixels make_fixture.py feeds PyTorch: (n * 11 + y * 7 + x * 3) % 256. */
    static View fixtureInput() {
        float[] px = new float[3 * 28 * 28];
        for (int n = 0; n < 3; n++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    px[(n * 28 + y) * 28 + x] = (n * 11 + y * 7 + x * 3) % 256;
                }
            }
        }
        return new View(3, 28, 28, 1, px);
    }

    /** Input as PyTorch saw it: pixels / 255, no further normalisation. */
    static ModelSpec fixtureSpec() {
        return new ModelSpec(Architecture.CNN, 1, 1, 10, 1, 28, new float[] {0f}, new float[] {1f});
    }

    @Test
    void shouldReproduceTheLogitsPyTorchPrinted() throws Exception {
        List<String> lines = Files.readAllLines(fixture("tiny_cnn_expected.txt")).stream()
                .filter(l -> !l.startsWith("#")).toList();
        try (TorchScriptModel t = new TorchScriptModel(fixture("tiny_cnn.pt"), new TorchScriptModel.Input(fixtureSpec(),
                false), Device.cpu())) {
            float[] logits = t.logits(fixtureInput());
            assertEquals(30, logits.length);
            for (int n = 0; n < 3; n++) {
                String[] expected = lines.get(n).trim().split("\\s+");
                for (int k = 0; k < 10; k++) {
                    assertEquals(Float.parseFloat(expected[k]), logits[n * 10 + k], 1e-5, "image " + n + " class " + k);
                }
            }
        }
    }

    @Test
    void shouldFailFastNamingAnUnloadableTeacherFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.pt");
        Files.writeString(bad, "not a torchscript archive");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TorchScriptModel(bad, new TorchScriptModel.Input(fixtureSpec(), false), Device.cpu()));
        assertTrue(e.getMessage().contains("broken.pt"), e.getMessage());
    }
}
