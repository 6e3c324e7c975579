package io.kdstream.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.app.Console;
import io.kdstream.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kdstream bench train} on the shipped mini dataset: two warm-ups and two measured repetitions side by side. */
class TrainBenchSmokeTest {
    @Test
    void shouldMeasureBothRatiosInEachRepetitionAndTheMedian() {
        Path testdata = Path.of(System.getProperty("kdstream.testdata", "../testdata"));
        Console.Result run = Console.run(() -> TrainBench.run(List.of("--dataset.path="
                + testdata.resolve("fashion-mnist-mini"), "--dataset.limit=256", "--pipeline.batch-size=32",
                "--bench.repeats=2", "--bench.warm-ups=2", "--teacher.model="
                + testdata.resolveSibling("teachers").resolve("fashion-cnn32")), Map.of()));
        String out = run.out();
        assertEquals(0, run.code(), out);
        assertTrue(out.contains("| rep 1 | rep 2 | median |"), out);
        for (String ratio : List.of("ratio teacher service / raw", "ratio student Kafka / memory")) {
            Matcher m = Pattern.compile(Pattern.quote(ratio) + " = ([0-9.]+) \\(median of 2\\)").matcher(out);
            assertTrue(m.find(), ratio + " in\n" + out);
            double r = Double.parseDouble(m.group(1));
            assertTrue(r > 0.2 && r < 2, ratio + " = " + r + ": both sides measured the same batches");
        }
        // every pass says where its cores went (the mini passes last a few clock ticks, so only the form is checked
        // here; ThreadCpuTest checks the attribution)
        Matcher cores = Pattern.compile("\\| (teacher raw forward|teacher service|student from memory|student "
                + "through Kafka): cores used by PyTorch / JIT compilers / the rest \\|"
                + "(?: [0-9.]+ / [0-9.]+ / [0-9.]+ \\|){3}").matcher(out);
        int rows = 0;
        while (cores.find()) {
            rows++;
        }
        assertEquals(4, rows, out);
    }

    @Test
    void shouldRunEachInProcessPassOnADjlThreadThatHasEndedWhenItReturns() {
        String ranOn = TrainBench.onOwnThread(() -> Thread.currentThread().getName());
        assertTrue(ranOn.startsWith("kds-djl-bench"), ranOn);
        // no thread of that name is left to keep an OpenMP pool beside the next service's
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(ranOn)), ranOn);
    }

    @Test
    void shouldPutTheBrokerLogInMemoryWhenItCanAndCheckAGivenDirectory(@TempDir Path dir) throws Exception {
        Path shm = Path.of("/dev/shm");
        Path auto = TrainBench.brokerParent("auto");
        assertEquals(Files.isDirectory(shm) && Files.isWritable(shm)
                && Files.getFileStore(shm).getUsableSpace() >= TrainBench.SHM_NEEDED ? shm : null, auto);
        assertEquals(dir, TrainBench.brokerParent(dir.toString()));
        ConfigException e = assertThrows(ConfigException.class,
                () -> TrainBench.brokerParent(dir.resolve("missing").toString()));
        assertTrue(e.getMessage().contains("bench.broker-dir"), e.getMessage());
    }

    @Test
    void shouldTakeTheMiddleValue() {
        assertEquals(2.0, TrainBench.median(new double[] {3, 1, 2}));
        assertEquals(2.5, TrainBench.median(new double[] {4, 1, 3, 2}));
    }
}
