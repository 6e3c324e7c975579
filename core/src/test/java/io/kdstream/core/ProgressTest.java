package io.kdstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void shouldRenderCountsRateEtaAndStatus() throws Exception {
        Progress p = new Progress("loader", "img");
        p.total(10_000);
        p.status("epoch 1/2");
        p.render();
        Thread.sleep(300);
        p.add(2_500);
        String line = p.render();
        assertTrue(line.startsWith("loader 2.50k/10.0k img "), line);
        assertTrue(line.contains(" img/s ETA ") && line.endsWith("epoch 1/2"), line);
        p.finish();
        assertTrue(p.summary().contains("2500 img"), p.summary());
        assertEquals("1.23k", Progress.si(1234));
        assertEquals("1:01:05", Progress.clock(3665));
    }
}
