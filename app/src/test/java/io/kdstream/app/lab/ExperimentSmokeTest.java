package io.kdstream.app.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kdstream experiment consistency --smoke}: four real runs, a table, a CSV and a plot. */
class ExperimentSmokeTest {
    @Test
    void shouldRunEveryArmAndWriteTheTableTheCsvAndThePlot(@TempDir Path tmp) throws Exception {
        int code = Experiment.run(List.of("consistency", "--smoke", "--pipeline.epochs=3",
                "--experiment.dir=" + tmp), Map.of());
        assertEquals(0, code);
        String table = Files.readString(tmp.resolve("results.md"));
        for (String arm : List.of("supervised student", "KD consistent + mixup", "KD independent", "KD fixed",
                "teacher alone")) {
            assertTrue(table.contains("| " + arm + " |"), arm + " in\n" + table);
        }
        assertTrue(table.contains("`./kdstream demo --smoke --augment.teacher-view=fixed"), table);
        List<String> csv = Files.readAllLines(tmp.resolve("accuracy.csv"));
        assertEquals(13, csv.size(), "a header and three epochs for each of four arms: " + csv);
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            double top1 = Double.parseDouble(f[3]);
            assertTrue(top1 >= 0 && top1 <= 1, line);
            if (f[2].equals("3")) { // one smoke epoch is 14 steps, the first partly warm-up: judge the third
                assertTrue(top1 > 0.15, "well above chance (0.10) after three epochs: " + line);
            }
        }
        BufferedImage png = ImageIO.read(tmp.resolve("accuracy.png").toFile());
        assertNotNull(png, "a PNG");
        assertEquals(900, png.getWidth());
        assertEquals(560, png.getHeight());
        assertTrue(Files.exists(tmp.resolve("kd-fixed-s42/student/model/model.params")), "each arm's model saved");
    }

    /** {@code kdstream experiment sizes --smoke}: the second student trains on the first one's recording. */
    @Test
    void shouldShareOneStreamBetweenArmsThatAgreeOnIt(@TempDir Path tmp) throws Exception {
        // the guard warns: the smoke size's tiny students reached a NaN loss in one run (oneDNN's AVX-512 kernels,
        // capped since: FiniteGradientsIntegrationTest), and a loss spike is not what this test is about
        int code = Experiment.run(List.of("sizes", "--smoke", "--pipeline.epochs=2", "--student.on-divergence=warn",
                "--experiment.dir=" + tmp), Map.of());
        assertEquals(0, code);
        String table = Files.readString(tmp.resolve("results.md"));
        assertTrue(table.contains("| recorded |") && table.contains("| replayed |"), table);
        assertTrue(table.contains("--student.replay=" + tmp.resolve("kd-consistent-student-w16-s42/stream.kdr")), table);
        assertTrue(Files.exists(tmp.resolve("kd-consistent-student-w8-s42/student/model/model.params")));
        List<String> csv = Files.readAllLines(tmp.resolve("accuracy.csv"));
        assertEquals(5, csv.size(), "two epochs for each of two arms: " + csv);
    }
}
