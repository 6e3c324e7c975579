package io.kdstream.loader.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code dataset.eval-path}: unlabelled training data is still evaluated on a labelled set. */
class EvalPathTest {
    private static final Path TESTDATA = Path.of(System.getProperty("kdstream.testdata", "../testdata"));

    @Test
    void shouldEvaluateUnlabelledTrainingDataOnTheLabelledSetNamed() throws BadImageException {
        Path train = TESTDATA.resolve("folder");
        Path eval = TESTDATA.resolve("folder-test");
        DatasetSpec unlabelled = new DatasetSpec(DatasetSpec.Kind.FOLDER, train, false, 1, 3, 4096, 0, 0);
        Dataset own = unlabelled.openEvaluation();
        assertEquals(-1, own.read(0).label(), "without dataset.eval-path: the test split, unlabelled like the data");

        DatasetSpec withEval = new DatasetSpec(DatasetSpec.Kind.FOLDER, train, false, 1, 3, 4096, 0, 0, eval);
        Dataset d = withEval.openEvaluation();
        assertEquals(own.size(), d.size());
        for (int i = 0; i < d.size(); i++) {
            try {
                assertTrue(d.read(i).label() >= 0, "labelled: image " + i);
            } catch (BadImageException shippedBadFile) {
                // testdata's folders hold two files that do not decode on purpose
            }
        }
        DatasetSpec limited = new DatasetSpec(DatasetSpec.Kind.FOLDER, train, false, 1, 3, 4096, 0, 2, eval);
        assertEquals(2, limited.openEvaluation().size(), "dataset.test-limit applies");
    }

    @Test
    void shouldNameAnEvalPathThatIsNotThere() {
        DatasetSpec spec = new DatasetSpec(DatasetSpec.Kind.IDX, TESTDATA.resolve("fashion-mnist-mini"), true, 1, 10,
                4096, 0, 0, TESTDATA.resolve("no-such-set"));
        DatasetException e = assertThrows(DatasetException.class, spec::openEvaluation);
        assertTrue(e.getMessage().contains("dataset.eval-path") && e.getMessage().contains("no-such-set"),
                e.getMessage());
    }
}
