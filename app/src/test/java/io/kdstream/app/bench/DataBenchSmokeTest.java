package io.kdstream.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.app.Console;
import io.kdstream.loader.dataset.SyntheticImageFolder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kdstream bench data} on a small colour JPEG folder in each way the loader can ship images: every pass
 * completes and reports its rate, the bytes per trained image and the CPU per image; view records (reference) cost
 * the broker far fewer bytes than pixels.
 */
class DataBenchSmokeTest {
    private static String bench(Path folder, String ship) {
        Console.Result r = Console.run(() -> DataBench.run(List.of("--dataset.kind=folder", "--dataset.path=" + folder,
                "--dataset.channels=3", "--view.teacher-size=64", "--augment.view-encoding=uint8",
                "--pipeline.batch-size=8", "--bench.repeats=1", "--bench.warm-ups=0", "--bench.reference=off",
                "--loader.ship=" + ship), Map.of()));
        String out = r.out();
        assertEquals(0, r.code(), out + r.err());
        assertTrue(out.contains("kdstream CPU per image"), out);
        for (String stage : List.of("loader", "augmenter", StageCpu.REST, StageCpu.GC)) {
            assertTrue(out.contains("| " + stage + " | "), stage + " in\n" + out);
        }
        return out;
    }

    private static double bytesPerImage(String out) {
        Matcher m = Pattern.compile("bytes through the broker per trained image, loader.ship=\\w+: (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void shouldBenchEveryWayOfShippingImages(@TempDir Path tmp) {
        SyntheticImageFolder.write(tmp.resolve("img"), 3, 8, 0, 1);
        double decoded = bytesPerImage(bench(tmp.resolve("img"), "decoded"));
        double encoded = bytesPerImage(bench(tmp.resolve("img"), "encoded"));
        String ref = bench(tmp.resolve("img"), "reference");
        double named = bytesPerImage(ref);
        assertTrue(ref.contains("render the teacher's view"), ref);
        assertTrue(ref.contains("| render (the teacher's decoding and rendering) | "), ref);
        assertTrue(named < encoded && encoded < decoded, decoded + " > " + encoded + " > " + named);
        assertTrue(named < 0.1 * decoded, "view records: " + named + " B per image against " + decoded);
    }
}
