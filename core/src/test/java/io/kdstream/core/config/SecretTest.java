package io.kdstream.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretTest {
    @Test
    void shouldMatchOnlyTheExactValue() {
        Secret s = Secret.of("0123456789abcdef");
        assertTrue(s.matches("0123456789abcdef"));
        assertFalse(s.matches("0123456789abcdeF"));
        assertFalse(s.matches("0123456789abcde"), "a prefix is not the secret");
        assertFalse(s.matches("0123456789abcdef0"), "nor is an extension");
        assertFalse(s.matches(""));
        assertFalse(s.matches(null));
    }

    @Test
    void shouldNeverPrintTheValue() {
        Secret s = Secret.of("hunter2-hunter2-hunter2");
        assertEquals("***", s.toString());
        record Holder(String name, Secret token) {
        }
        assertFalse(new Holder("admin", s).toString().contains("hunter2"), "records holding a secret log safely");
        assertEquals("hunter2-hunter2-hunter2", s.reveal());
    }
}
