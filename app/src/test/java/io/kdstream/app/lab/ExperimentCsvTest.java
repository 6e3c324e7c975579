package io.kdstream.app.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExperimentCsvTest {
    @Test
    void shouldQuoteArmNamesThatHoldACommaOrAQuote() {
        assertEquals("KD fixed", Experiment.csvField("KD fixed"));
        assertEquals("\"labels, lr 2e-3\"", Experiment.csvField("labels, lr 2e-3"));
        assertEquals("\"the \"\"best\"\" arm\"", Experiment.csvField("the \"best\" arm"));
    }
}
