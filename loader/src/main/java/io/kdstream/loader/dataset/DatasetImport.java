package io.kdstream.loader.dataset;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Copies a dataset from where the user has it (a folder, or a {@code .tar}, {@code .tar.gz}, {@code .tgz} or
 * {@code .zip} archive) into the directory the loader and the student read, so a cluster needs nothing from the host
 * but that one path. An archive whose entries all lie in one top-level folder is unpacked without that folder. The
 * copy is skipped when the target already holds the same source (same names, sizes and modification times), so a
 * restart does not copy again. A target that holds anything this did not put there is refused, never cleared, and
 * archive entries that would land outside the target are refused.
 */
public final class DatasetImport {
    /** The file in the target that records which source it holds. */
    public static final String STAMP = ".kdstream-source";

    private DatasetImport() {
    }

    /** What {@link #into} did. */
    public record Outcome(boolean copied, long files, long bytes, String stamp) {
    }

    /**
     * Makes {@code target} hold exactly the contents of {@code source}.
     *
     * @throws DatasetException when the source is missing, empty or not a supported archive, naming it and the fix
     */
    public static Outcome into(Path source, Path target) {
        if (!Files.exists(source)) {
            throw new DatasetException("dataset source " + source + " does not exist; name a folder or a .tar, .tar.gz, "
                    + ".tgz or .zip archive (dataset.source; in the compose cluster KDS_DATASET_SOURCE, a path on the "
                    + "host)");
        }
        String stamp = stamp(source);
        Path stampFile = target.resolve(STAMP);
        try {
            if (Files.isRegularFile(stampFile) && Files.readString(stampFile, StandardCharsets.UTF_8).equals(stamp)) {
                return new Outcome(false, 0, 0, stamp);
            }
            Files.createDirectories(target);
            if (!Files.isRegularFile(stampFile) && !isEmpty(target)) { // never clear a directory this did not fill
                throw new DatasetException("dataset target " + target + " holds files that `kdstream dataset prepare` "
                        + "did not put there; name an empty or new directory (dataset.target), or empty this one");
            }
            clear(target);
            long[] counts = Files.isDirectory(source) ? copyTree(source, target) : unpack(source, target);
            if (counts[0] == 0) {
                throw new DatasetException("dataset source " + source + " is empty; in the compose cluster set "
                        + "KDS_DATASET_SOURCE to a folder or archive on the host that holds the dataset "
                        + "(docs/CLUSTER.md, \"Your own data\")");
            }
            Files.writeString(stampFile, stamp, StandardCharsets.UTF_8);
            return new Outcome(true, counts[0], counts[1], stamp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the dataset from " + source + " to " + target + ": " + e, e);
        }
    }

    /** Names, sizes and modification times of every file of the source, one per line. */
    static String stamp(Path source) {
        StringBuilder b = new StringBuilder("source ").append(source.toAbsolutePath()).append('\n');
        try (Stream<Path> files = Files.walk(source)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> {
                try {
                    b.append(source.relativize(f)).append(' ').append(Files.size(f)).append(' ')
                            .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the dataset source " + source + ": " + e, e);
        }
        return b.toString();
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.findAny().isEmpty();
        }
    }

    private static void clear(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path c : children.toList()) {
                if (Files.isDirectory(c) && !Files.isSymbolicLink(c)) {
                    try (Stream<Path> all = Files.walk(c)) {
                        for (Path p : all.sorted((a, b) -> b.compareTo(a)).toList()) {
                            Files.delete(p);
                        }
                    }
                } else {
                    Files.delete(c);
                }
            }
        }
    }

    private static long[] copyTree(Path source, Path target) throws IOException {
        long[] counts = new long[2];
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    Files.copy(file, target.resolve(source.relativize(file).toString()),
                            StandardCopyOption.REPLACE_EXISTING);
                    counts[0]++;
                    counts[1] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return counts;
    }

    /** One archive entry: its path inside the archive and, for files, its bytes. */
    private interface EntrySink {
        void accept(String name, boolean directory, InputStream data) throws IOException;
    }

    private static long[] unpack(Path archive, Path target) throws IOException {
        String n = archive.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        List<String> names = new ArrayList<>();
        read(archive, n, (name, dir, data) -> names.add(name));
        String strip = commonTopFolder(names);
        long[] counts = new long[2];
        Path root = target.toAbsolutePath().normalize();
        read(archive, n, (name, dir, data) -> {
            String rel = name.substring(strip.length());
            if (rel.isEmpty()) {
                return;
            }
            Path out = root.resolve(rel).normalize();
            if (!out.startsWith(root)) {
                throw new DatasetException("archive " + archive + " has an entry '" + name + "' that would be written "
                        + "outside " + target + "; refusing to unpack it");
            }
            if (dir) {
                Files.createDirectories(out);
                return;
            }
            Files.createDirectories(out.getParent());
            counts[1] += Files.copy(data, out, StandardCopyOption.REPLACE_EXISTING);
            counts[0]++;
        });
        return counts;
    }

    private static void read(Path archive, String lowerName, EntrySink sink) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
            if (lowerName.endsWith(".zip")) {
                try (ZipInputStream zip = new ZipInputStream(raw)) {
                    for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                        sink.accept(e.getName(), e.isDirectory(), zip);
                    }
                }
            } else if (lowerName.endsWith(".tar") || lowerName.endsWith(".tar.gz") || lowerName.endsWith(".tgz")) {
                InputStream in = lowerName.endsWith(".tar") ? raw : new GZIPInputStream(raw);
                try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                    for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                        if (e.isDirectory() || e.isFile()) {
                            sink.accept(e.getName(), e.isDirectory(), tar);
                        }
                    }
                }
            } else {
                throw new DatasetException("dataset source " + archive + " is a file but not a .tar, .tar.gz, .tgz or "
                        + ".zip archive; name the archive, or the folder that holds the dataset's files");
            }
        }
    }

    /** The {@code dir/} every entry starts with, or "" when entries lie in several top-level folders or at the top. */
    static String commonTopFolder(List<String> names) {
        String top = null;
        for (String name : names) {
            String clean = name.startsWith("./") ? name.substring(2) : name;
            int slash = clean.indexOf('/');
            if (slash < 0) {
                if (clean.isEmpty()) {
                    continue;
                }
                return ""; // a file at the top
            }
            String first = name.substring(0, name.length() - clean.length() + slash + 1);
            if (top == null) {
                top = first;
            } else if (!top.equals(first)) {
                return "";
            }
        }
        return top == null ? "" : top;
    }
}
