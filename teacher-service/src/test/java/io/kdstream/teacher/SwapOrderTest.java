package io.kdstream.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kdstream.core.config.ConfigException;
import io.kdstream.core.config.Secret;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SwapOrderTest {
    private static final Secret TOKEN = Secret.of("cluster-token-0123456789");

    @Test
    void shouldRoundTripAnOrderSignedWithTheSharedToken() {
        SwapOrder o = new SwapOrder("fashion-cnn16", "wide", "2", 1_700_000_000_123L, "host-a");
        assertEquals(o, SwapOrder.decode(o.encode(TOKEN), TOKEN));
    }

    @Test
    void shouldRefuseAnOrderSignedWithAnotherToken() {
        byte[] v = new SwapOrder("fashion-cnn16", "", "", 1L, "").encode(Secret.of("another-token-0123456789"));
        SwapOrder.Refused e = assertThrows(SwapOrder.Refused.class, () -> SwapOrder.decode(v, TOKEN));
        assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
    }

    @Test
    void shouldRefuseAnAlteredOrder() {
        String v = new String(new SwapOrder("fashion-cnn16", "", "", 1L, "").encode(TOKEN), StandardCharsets.UTF_8);
        byte[] altered = v.replace("model=fashion-cnn16", "model=../../../etc/evil").getBytes(StandardCharsets.UTF_8);
        assertThrows(SwapOrder.Refused.class, () -> SwapOrder.decode(altered, TOKEN));
    }

    @Test
    void shouldRefuseRecordsThatAreNotSwapOrders() {
        assertThrows(SwapOrder.Refused.class, () -> SwapOrder.decode("hello".getBytes(StandardCharsets.UTF_8), TOKEN));
        assertThrows(SwapOrder.Refused.class, () -> SwapOrder.decode(new byte[0], TOKEN));
    }

    @Test
    void shouldRequireAModelOnOneLine() {
        assertThrows(ConfigException.class, () -> new SwapOrder(" ", "", "", 1L, ""));
        assertThrows(ConfigException.class, () -> new SwapOrder("a\nkind=other", "", "", 1L, ""));
    }
}
