package io.kdstream.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.app.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kdstream bench scale} at its smallest: 1 and 2 stand-in teacher replicas on the shipped mini dataset. Two
 * replicas must annotate faster than one (each takes 150 ms a batch, far above what anything else here costs), and
 * the plot is a PNG.
 */
class ScaleBenchSmokeTest {
    @Test
    void shouldAnnotateFasterWithTwoReplicasAndPlotIt(@TempDir Path tmp) throws Exception {
        Path testdata = Path.of(System.getProperty("kdstream.testdata", "../testdata"));
        Path plot = tmp.resolve("scale.png");
        Console.Result r = Console.run(() -> ScaleBench.run(List.of("--dataset.path="
                + testdata.resolve("fashion-mnist-mini"), "--bench.replicas=1,2", "--bench.images-per-replica=400",
                "--bench.teacher-latency-ms=150", "--pipeline.batch-size=32", "--bench.plot=" + plot), Map.of()));
        String out = r.out();
        assertEquals(0, r.code(), out + r.err());
        Matcher m = Pattern.compile("\\| 1 \\| (\\d+) \\| 1\\.00 \\|.*\\n\\| 2 \\| (\\d+) \\| ([0-9.]+) \\|").matcher(out);
        assertTrue(m.find(), out);
        double one = Double.parseDouble(m.group(1));
        double two = Double.parseDouble(m.group(2));
        assertTrue(two > 1.3 * one, "two replicas annotate faster than one: " + one + " -> " + two + "\n" + out);
        assertTrue(out.contains("| bound: 2 replicas of a teacher that takes no time"), out);
        assertTrue(Files.size(plot) > 1000 && ImageIO.read(plot.toFile()).getWidth() == 800, "a PNG plot");
    }
}
