package io.kdstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kdstream dataset prepare}: the copy, and with {@code --dataset.verify} a decode of every image. */
class DatasetCommandTest {
    private static Console.Result prepare(List<String> args) {
        return Console.run(() -> DatasetCommand.run(args, Map.of()));
    }

    @Test
    void shouldNameTheFilesThatDoNotDecodeWhenAskedToVerify(@TempDir Path tmp) throws Exception {
        Path testdata = Path.of(System.getProperty("kdstream.testdata", "../testdata"));
        Path source = tmp.resolve("source");
        for (String split : List.of("folder", "folder-test")) { // the shipped folder and its test split
            try (var files = java.nio.file.Files.walk(testdata.resolve(split))) {
                for (Path f : files.toList()) {
                    Path to = source.resolve(split).resolve(testdata.resolve(split).relativize(f).toString());
                    if (java.nio.file.Files.isDirectory(f)) {
                        java.nio.file.Files.createDirectories(to);
                    } else {
                        java.nio.file.Files.copy(f, to);
                    }
                }
            }
        }
        List<String> common = List.of("prepare", "--dataset.source=" + source, "--dataset.target=" + tmp.resolve("data"),
                "--dataset.path=" + tmp.resolve("data").resolve("folder"), "--dataset.kind=folder",
                "--dataset.channels=1");
        Console.Result plain = prepare(common);
        assertEquals(0, plain.code(), plain.out() + plain.err());
        assertTrue(plain.out().contains("dataset ready"), plain.out());

        java.util.List<String> verify = new java.util.ArrayList<>(common);
        verify.add("--dataset.verify=true");
        Console.Result checked = prepare(verify);
        assertEquals(1, checked.code(), checked.out() + checked.err());
        assertTrue(checked.out().contains("2 do not decode"), checked.out());
        assertTrue(checked.err().contains("corrupt-truncated.png") && checked.err().contains("not-an-image.jpg"),
                checked.err());
    }
}
