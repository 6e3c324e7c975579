package io.kdstream.app.bench;

import io.kdstream.loader.dataset.DatasetSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The usual PyTorch input pipeline on the same image folder, as {@code bench data}'s reference: runs
 * {@code bench/reference/torchvision_folder.py} with {@code bench.python} (default Debian's {@code /usr/bin/python3},
 * where python3-torchvision installs; else the {@code python3} on the path), one DataLoader worker per core, and reads
 * its images/s. {@code script} is null when the reference does not run; {@code problem}, when not null, stops the bench.
 */
record ReferenceBench(String python, Path script, Path folder, int size, int batch, String problem) {
    private static final Pattern RATE = Pattern.compile("reference: ([0-9.]+) images/s");

    /**
     * The reference for {@code bench.reference} ({@code auto}, {@code on}, {@code off}): {@code on} needs an image
     * folder read whole and python3 with torchvision, and is a problem without them; {@code auto} runs it when it
     * can and says why not otherwise.
     */
    static ReferenceBench choose(String mode, String python, DatasetSpec dataset, int size, int batch) {
        if (mode.equals("off")) {
            return new ReferenceBench(python, null, null, size, batch, null);
        }
        String why = null;
        Path script = Path.of(System.getProperty("kdstream.home", ".")).resolve(
                "bench/reference/torchvision_folder.py");
        if (dataset.kind() != DatasetSpec.Kind.FOLDER) {
            why = "the reference reads image folders (dataset.kind=folder)";
        } else if (dataset.limit() > 0) {
            why = "the reference reads the whole folder; dataset.limit=" + dataset.limit() + " would compare other data";
        } else if (!Files.isRegularFile(script)) {
            why = "the reference script " + script + " is missing";
        } else if (!torchvisionAvailable(python)) {
            why = python + " cannot import torchvision (on Debian: sudo apt-get install python3-torchvision; another "
                    + "interpreter: bench.python)";
        }
        if (why == null) {
            return new ReferenceBench(python, script, dataset.path(), size, batch, null);
        }
        if (mode.equals("on")) {
            return new ReferenceBench(python, null, null, size, batch, "bench.reference=on but " + why);
        }
        System.err.println("bench data: no torchvision reference: " + why);
        return new ReferenceBench(python, null, null, size, batch, null);
    }

    /** Debian's interpreter when present (python3-torchvision installs there), else the one on the path. */
    static String defaultPython() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static boolean torchvisionAvailable(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, torchvision").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean enabled() {
        return script != null;
    }

    String describe() {
        return String.format(Locale.ROOT, "torchvision ImageFolder + RandomResizedCrop(%d) + RandomHorizontalFlip + "
                + "ToTensor, DataLoader with %d workers, batches of %d", size, workers(), batch);
    }

    private static int workers() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Runs the reference over {@code epochs} passes of the folder; images per second. */
    double run(int epochs) {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), folder.toString(), "--workers",
                Integer.toString(workers()), "--batch", Integer.toString(batch), "--epochs", Integer.toString(epochs),
                "--size", Integer.toString(size)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("the torchvision reference failed: " + String.join(" ", cmd) + "\n"
                        + out.strip());
            }
            Matcher m = RATE.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("the torchvision reference printed no rate: " + out.strip());
            }
            return Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + python + " for the torchvision reference: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the torchvision reference ran", e);
        }
    }
}
