package io.kdstream.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LagThrottleTest {
    /**
     * Two replicas producing to one topic (a shared end offset) that nobody consumes: together they stop at the
     * bound, not at twice it (each once counted only its own records). Records a replica lets through within one
     * probe interval are the slack; here each waits longer than that between records.
     */
    @Test
    void shouldBoundTheTopicNotEachProducer() throws Exception {
        AtomicLong end = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        int bound = 10;
        LagThrottle a = new LagThrottle(end::get, committed::get, bound, Duration.ofMillis(1));
        LagThrottle b = new LagThrottle(end::get, committed::get, bound, Duration.ofMillis(1));
        CountDownLatch blocked = new CountDownLatch(1);
        Thread producers = new Thread(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    (i % 2 == 0 ? a : b).acquire();
                    end.incrementAndGet(); // the record reaches the broker
                    Thread.sleep(3); // longer than the probe interval: every acquire sees the other's records
                }
            } catch (InterruptedException e) {
                blocked.countDown();
            }
        });
        producers.start();
        assertFalse(producerEnds(producers), "the producers wait for the consumer");
        assertEquals(bound, end.get(), "the topic stops at its bound");
        committed.set(5); // the consumer commits 5
        Thread.sleep(200);
        assertEquals(bound + 5, end.get(), "5 more let through");
        producers.interrupt();
        assertTrue(blocked.await(5, TimeUnit.SECONDS));
    }

    private static boolean producerEnds(Thread t) throws InterruptedException {
        t.join(500);
        return !t.isAlive();
    }
}
