package io.kdstream.loader.dataset;

import io.kdstream.core.image.ImageDecodeException;
import io.kdstream.core.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A directory of PNG/JPEG files. Labelled: one sub-folder per class, classes sorted by folder name
 * ({@code root/cat/1.png} is class "cat"). Unlabeled: every image under the root, at any depth, label -1 (for
 * distillation on out-of-domain data). Files are listed once, sorted, so sample ids are stable; they are decoded on
 * every read.
 */
public final class ImageFolderDataset implements Dataset {
    private final String name;
    private final List<Path> files;
    private final int[] labels;
    private final List<String> classNames;
    private final ImageDecoder decoder;
    private final int channels;
    private final Path root;

    /**
     * @param name       a short name for logs
     * @param root       the directory
     * @param labeled    true for one sub-folder per class
     * @param numClasses classes of unlabeled data (ignored when labelled)
     * @param decoder    the decoder, which fixes the channel count
     * @param channels   the decoder's channel count
     */
    public ImageFolderDataset(String name, Path root, boolean labeled, int numClasses, ImageDecoder decoder,
                              int channels) {
        this.name = name;
        this.root = root;
        this.decoder = decoder;
        this.channels = channels;
        if (!Files.isDirectory(root)) {
            throw new DatasetException("image folder " + root + " does not exist; pass --dataset.path=DIR");
        }
        List<Path> found = new ArrayList<>();
        List<Integer> lab = new ArrayList<>();
        try {
            if (labeled) {
                List<Path> classDirs;
                try (Stream<Path> s = Files.list(root)) {
                    classDirs = s.filter(Files::isDirectory).sorted().toList();
                }
                if (classDirs.isEmpty()) {
                    throw new DatasetException(root + " has no class sub-folders; a labelled image folder needs one "
                            + "sub-folder per class (or set dataset.labeled=false)");
                }
                List<String> names = new ArrayList<>();
                for (int c = 0; c < classDirs.size(); c++) {
                    names.add(classDirs.get(c).getFileName().toString());
                    for (Path f : images(classDirs.get(c))) {
                        found.add(f);
                        lab.add(c);
                    }
                }
                classNames = Collections.unmodifiableList(names);
            } else {
                for (Path f : images(root)) {
                    found.add(f);
                    lab.add(-1);
                }
                classNames = Dataset.numberedClasses(numClasses);
            }
        } catch (IOException e) {
            throw new DatasetException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new DatasetException(root + " contains no .png, .jpg or .jpeg files");
        }
        this.files = List.copyOf(found);
        this.labels = lab.stream().mapToInt(Integer::intValue).toArray();
    }

    private static List<Path> images(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
            }).sorted().toList();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public Item read(int index) throws BadImageException {
        Path f = files.get(index);
        String source = root.relativize(f).toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new BadImageException(f.toString(), true, "cannot read: " + e.getMessage()
                    + "; check permissions or remove the file", e);
        }
        try {
            return new Item(decoder.decode(bytes), labels[index], source);
        } catch (ImageDecodeException e) {
            throw new BadImageException(f.toString(), false, e.getMessage(), e.getCause());
        }
    }

    /** The file's bytes as they are, undecoded, for {@code loader.ship=encoded}. */
    @Override
    public Encoded readEncoded(int index) throws BadImageException {
        Path f = files.get(index);
        try {
            return new Encoded(Files.readAllBytes(f), labels[index], root.relativize(f).toString());
        } catch (IOException e) {
            throw new BadImageException(f.toString(), true, "cannot read: " + e.getMessage()
                    + "; check permissions or remove the file", e);
        }
    }

    /** The file named with its size read from its header, for {@code loader.ship=reference}. */
    @Override
    public Reference readReference(int index) throws BadImageException {
        Path f = files.get(index);
        try {
            int[] hw = decoder.readSize(f);
            return new Reference(root.toAbsolutePath().normalize().toString(), root.relativize(f).toString(), hw[0],
                    hw[1], labels[index]);
        } catch (ImageDecodeException e) {
            throw new BadImageException(f.toString(), false, e.getMessage(), e.getCause());
        }
    }

    @Override
    public byte[] rawBytes(int index) {
        try {
            return Files.readAllBytes(files.get(index));
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The file behind a sample id. */
    public Path file(int index) {
        return files.get(index);
    }
}
