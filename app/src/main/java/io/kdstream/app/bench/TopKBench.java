package io.kdstream.app.bench;

import io.kdstream.app.CommandLine;
import io.kdstream.app.Demo;
import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Keys;
import io.kdstream.core.image.ViewRendering;
import io.kdstream.core.wire.AnnotatedBatch;
import io.kdstream.core.wire.AugmentedBatch;
import io.kdstream.core.wire.MixMode;
import io.kdstream.core.wire.View;
import io.kdstream.loader.dataset.BadImageException;
import io.kdstream.loader.dataset.Dataset;
import io.kdstream.loader.dataset.DatasetSpec;
import io.kdstream.models.LoadedModel;
import io.kdstream.models.Models;
import io.kdstream.models.TorchScriptModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kdstream bench topk}: what top-K soft labels ({@code teacher.top-k}) cost and save, on a teacher's real
 * predictions: for each K, the bytes the teacher's soft labels add to an annotated record per image (float16 and
 * float32) against all logits, and the mean KL divergence from the full targets to the rebuilt ones at several
 * distillation temperatures, over the test split's whole images.
 */
public final class TopKBench {
    public static final String HELP = """
            usage: kdstream bench topk [--teacher.model=DIR|FILE] [--dataset.path=DIR] [--bench.top-k=1,3,5,10]
                                       [--dataset.test-limit=N]

            Runs the teacher on the test split's images (whole, resized to its input) and prints, for each K, the
            bytes per image of its soft labels on the wire with teacher.top-k=K against all logits, and the mean
            KL(full targets || rebuilt targets) at temperatures 1, 2 and 4 (docs/WIRE.md, top-K logits).
            """;
    /** The default workload: the demo's teacher on Fashion-MNIST's test split. */
    public static final Map<String, String> DEFAULTS = Map.of("teacher.model", Demo.SHIPPED_TEACHER.toString());
    private static final double[] TEMPERATURES = {1, 2, 4};
    private static final int BATCH = 128;

    private TopKBench() {
    }

    private record Plan(Path teacher, TorchScriptModel.Input input, DatasetSpec dataset, List<Integer> ks) {
    }

    public static int run(List<String> args, Map<String, String> env) {
        CommandLine.Parsed<Plan> p = CommandLine.parse("bench topk", HELP, args, env, raw -> {
            var s = raw.withDefaults(DEFAULTS);
            List<Integer> ks = new ArrayList<>();
            for (String k : s.list(Keys.BENCH_TOP_K)) {
                try {
                    ks.add(Integer.parseInt(k.trim()));
                } catch (NumberFormatException e) {
                    throw new ConfigException("setting bench.top-k=" + k + " is not a whole number");
                }
                ConfigException.require(ks.get(ks.size() - 1) >= 1, "bench.top-k", k, "must be >= 1");
            }
            Plan plan = new Plan(s.path(Keys.TEACHER_MODEL).orElseThrow(), TorchScriptModel.Input.from(s),
                    DatasetSpec.from(s), ks);
            raw.markUsed(s);
            return plan;
        });
        if (!p.run()) {
            return p.exit();
        }
        Plan plan = p.value();
        Dataset test = plan.dataset().open(false);
        try (LoadedModel teacher = LoadedModel.open(plan.teacher(), plan.input(), Models.device("cpu"),
                Keys.TEACHER_MODEL.name())) {
            int classes = teacher.classes();
            int size = teacher.inputSize();
            List<Integer> ks = plan.ks().stream().filter(k -> k < classes).toList();
            double[][] kl = new double[ks.size()][TEMPERATURES.length];
            double[] kept = new double[ks.size()];
            long[] bytes16 = new long[ks.size() + 1];
            long[] bytes32 = new long[ks.size() + 1];
            int images = 0;
            for (int from = 0; from < test.size(); from += BATCH) {
                int n = Math.min(BATCH, test.size() - from);
                AugmentedBatch batch = wholeImages(test, from, n, size, classes);
                float[] z = teacher.logits(batch.view());
                long plain = batch.encode().length;
                bytes16[ks.size()] += new AnnotatedBatch(batch, z, true, "t", "1").encode().length - plain;
                bytes32[ks.size()] += new AnnotatedBatch(batch, z, false, "t", "1").encode().length - plain;
                for (int i = 0; i < ks.size(); i++) {
                    AnnotatedBatch a = new AnnotatedBatch(batch, z, false, "t", "1", List.of(), null, ks.get(i));
                    byte[] wire = a.encode();
                    bytes32[i] += wire.length - plain;
                    bytes16[i] += new AnnotatedBatch(batch, z, true, "t", "1", List.of(), null, ks.get(i)).encode()
                            .length - plain;
                    float[] rebuilt = AnnotatedBatch.decode(wire).teacherLogits();
                    for (int t = 0; t < TEMPERATURES.length; t++) {
                        kl[i][t] += klSum(z, rebuilt, n, classes, TEMPERATURES[t]);
                    }
                    kept[i] += keptMass(z, n, classes, ks.get(i));
                }
                images += n;
            }
            System.out.printf(Locale.ROOT, "bench topk: %s (%d classes, %d px) on %d test images of %s%n%n",
                    teacher.describe(), classes, size, images, test.name());
            System.out.println("| K | soft labels, bytes per image (float16 / float32) | probability kept (T = 1) "
                    + "| KL(full || rebuilt), T = 1 | T = 2 | T = 4 |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            for (int i = 0; i < ks.size(); i++) {
                System.out.printf(Locale.ROOT, "| %d | %.1f / %.1f | %.4f | %.5f | %.5f | %.5f |%n", ks.get(i),
                        (double) bytes16[i] / images, (double) bytes32[i] / images, kept[i] / images,
                        kl[i][0] / images, kl[i][1] / images, kl[i][2] / images);
            }
            System.out.printf(Locale.ROOT, "| all %d | %.1f / %.1f | 1 | 0 | 0 | 0 |%n", classes,
                    (double) bytes16[ks.size()] / images, (double) bytes32[ks.size()] / images);
            return 0;
        }
    }

    /** Test images whole (no crop, no flip, no mixing), resized to the teacher's input: a batch to annotate. */
    private static AugmentedBatch wholeImages(Dataset test, int from, int n, int size, int classes) {
        int c = test.channels();
        float[] px = new float[n * size * size * c];
        int[] boxes = new int[n * 4];
        long[] ids = new long[n];
        int[] labels = new int[n];
        int[] partners = new int[n];
        float[] lambdas = new float[n];
        for (int i = 0; i < n; i++) {
            Dataset.Item item;
            try {
                item = test.read(from + i);
            } catch (BadImageException e) {
                throw new IllegalStateException("bench topk: " + e.getMessage(), e);
            }
            boxes[i * 4 + 2] = item.image().height();
            boxes[i * 4 + 3] = item.image().width();
            ViewRendering.crop(item.image(), i, boxes, new byte[n], size, px);
            ids[i] = from + i;
            labels[i] = Math.min(item.label(), classes - 1);
            partners[i] = i;
            lambdas[i] = 1;
        }
        return new AugmentedBatch(0, 0, from / BATCH, 0, classes, MixMode.NONE, ids, labels, new long[n], partners,
                lambdas, AugmentedBatch.mixedTargets(labels, partners, lambdas, classes), boxes, new byte[n], null,
                new View(n, size, size, c, px), null);
    }

    private static double klSum(float[] full, float[] rebuilt, int n, int c, double t) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] p = softmax(full, i * c, c, t);
            double[] q = softmax(rebuilt, i * c, c, t);
            for (int j = 0; j < c; j++) {
                if (p[j] > 0) {
                    sum += p[j] * (Math.log(p[j]) - Math.log(q[j]));
                }
            }
        }
        return sum;
    }

    private static double keptMass(float[] z, int n, int c, int k) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] p = softmax(z, i * c, c, 1);
            java.util.Arrays.sort(p);
            for (int j = c - k; j < c; j++) {
                sum += p[j];
            }
        }
        return sum;
    }

    private static double[] softmax(float[] z, int off, int c, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, z[off + j] / t);
        }
        double[] e = new double[c];
        double s = 0;
        for (int j = 0; j < c; j++) {
            e[j] = Math.exp(z[off + j] / t - max);
            s += e[j];
        }
        for (int j = 0; j < c; j++) {
            e[j] /= s;
        }
        return e;
    }
}
