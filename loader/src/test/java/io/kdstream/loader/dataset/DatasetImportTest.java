package io.kdstream.loader.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetImportTest {
    private static final Path MINI = Path.of(System.getProperty("kdstream.home", "..")).resolve(
            "testdata/fashion-mnist-mini");

    private static Path mini() {
        Path p = Files.isDirectory(MINI) ? MINI : Path.of("testdata/fashion-mnist-mini");
        assertTrue(Files.isDirectory(p), "the shipped test data at " + p);
        return p;
    }

    @Test
    void shouldCopyAFolderOnceAndReadItAsTheDataset(@TempDir Path tmp) {
        Path target = tmp.resolve("data");
        DatasetImport.Outcome first = DatasetImport.into(mini(), target);
        assertTrue(first.copied());
        assertEquals(4, first.files());
        assertEquals(400, DatasetSpec.idx(target).open(true).size());
        assertEquals(200, DatasetSpec.idx(target).open(false).size());
        assertFalse(DatasetImport.into(mini(), target).copied(), "the same source is not copied again");
    }

    @Test
    void shouldUnpackATarGzDroppingItsSingleTopFolder(@TempDir Path tmp) throws IOException {
        Path archive = tmp.resolve("fashion.tar.gz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(
                Files.newOutputStream(archive)))) {
            for (Path f : Files.list(mini()).sorted().toList()) {
                TarArchiveEntry e = new TarArchiveEntry("fashion-mnist/" + f.getFileName());
                e.setSize(Files.size(f));
                tar.putArchiveEntry(e);
                Files.copy(f, tar);
                tar.closeArchiveEntry();
            }
        }
        Path target = tmp.resolve("data");
        assertEquals(4, DatasetImport.into(archive, target).files());
        assertEquals(400, DatasetSpec.idx(target).open(true).size());
    }

    @Test
    void shouldUnpackAZipAndReplaceWhatAnotherSourceLeft(@TempDir Path tmp) throws IOException {
        Path target = tmp.resolve("data");
        DatasetImport.into(mini(), target);
        Files.writeString(target.resolve("stale.txt"), "left by an earlier source");
        Path archive = tmp.resolve("fashion.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
            for (Path f : Files.list(mini()).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(f.getFileName().toString()));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        assertTrue(DatasetImport.into(archive, target).copied());
        assertFalse(Files.exists(target.resolve("stale.txt")));
        assertEquals(400, DatasetSpec.idx(target).open(true).size());
    }

    @Test
    void shouldNeverClearADirectoryItDidNotFill(@TempDir Path tmp) throws IOException {
        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        Files.writeString(home.resolve("notes.txt"), "the user's");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetImport.into(mini(), home));
        assertTrue(e.getMessage().contains("did not put there"), e.getMessage());
        assertTrue(Files.exists(home.resolve("notes.txt")));
    }

    @Test
    void shouldRefuseAnEntryThatEscapesTheTarget(@TempDir Path tmp) throws IOException {
        Path archive = tmp.resolve("evil.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
            zip.putNextEntry(new ZipEntry("a/ok.txt"));
            zip.write(1);
            zip.putNextEntry(new ZipEntry("b/../../escape.txt"));
            zip.write(1);
        }
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetImport.into(archive,
                tmp.resolve("data")));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escape.txt")));
    }

    @Test
    void shouldNameAMissingOrEmptySourceAndTheFix(@TempDir Path tmp) throws IOException {
        DatasetException missing = assertThrows(DatasetException.class, () -> DatasetImport.into(
                tmp.resolve("nope"), tmp.resolve("data")));
        assertTrue(missing.getMessage().contains("nope") && missing.getMessage().contains("KDS_DATASET_SOURCE"),
                missing.getMessage());
        Files.createDirectories(tmp.resolve("empty"));
        DatasetException empty = assertThrows(DatasetException.class, () -> DatasetImport.into(
                tmp.resolve("empty"), tmp.resolve("data")));
        assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "x", StandardCharsets.UTF_8);
        assertThrows(DatasetException.class, () -> DatasetImport.into(text, tmp.resolve("data2")));
    }

    @Test
    void shouldFindTheSingleTopFolderOfAnArchive() {
        assertEquals("fm/", DatasetImport.commonTopFolder(List.of("fm/", "fm/a.gz", "fm/b.gz")));
        assertEquals("./fm/", DatasetImport.commonTopFolder(List.of("./", "./fm/a.gz", "./fm/b.gz")));
        assertEquals("", DatasetImport.commonTopFolder(List.of("a.gz", "b.gz")));
        assertEquals("", DatasetImport.commonTopFolder(List.of("train/a.png", "test/b.png")));
    }
}
