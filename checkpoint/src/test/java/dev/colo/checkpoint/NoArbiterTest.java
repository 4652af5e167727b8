package dev.colo.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.checkpoint.arbiter.Decision;
import dev.colo.checkpoint.arbiter.NoArbiter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Safe by default: with no arbiter named, a secondary that loses its primary never takes over by itself. */
class NoArbiterTest {
    @Test
    void noneIsParsedAndRefusesForGood() {
        Arbiter a = Arbiter.parse("none");
        assertTrue(a instanceof NoArbiter, a.describe());
        assertFalse(a.requestPromotion("c", "n", Duration.ofMillis(10)).granted());
        assertFalse(a.mayGrantLater(), "asking again cannot help");
        assertTrue(a.renew("c", "n"), "a primary with no arbiter holds no lease and never fences");
    }

    @Test
    void aSecondaryWithNoArbiterStaysASecondaryWhenItsPrimaryDiesAndAsksOnce() throws Exception {
        NoArbiter none = new NoArbiter();
        AtomicInteger asked = new AtomicInteger();
        Arbiter counting = new Arbiter() {
            @Override
            public boolean renew(String clusterId, String nodeId) {
                return none.renew(clusterId, nodeId);
            }

            @Override
            public Decision requestPromotion(String clusterId, String nodeId, Duration timeout) {
                asked.incrementAndGet();
                return none.requestPromotion(clusterId, nodeId, timeout);
            }

            @Override
            public boolean mayGrantLater() {
                return none.mayGrantLater();
            }

            @Override
            public void release(String clusterId, String nodeId) {
            }

            @Override
            public String describe() {
                return none.describe();
            }

            @Override
            public void close() {
            }
        };
        try (Pair p = new Pair(new NoArbiter(), counting, false, Pair.testConfig())) {
            p.awaitProtected();
            p.primary.close();
            Pair.await(() -> asked.get() >= 1, 5000, () -> "the secondary asked; events " + p.events);
            Thread.sleep(1000); // a secondary that retried would ask about four more times in this second
            assertTrue(p.secondary.state() != SecondaryState.PROMOTED, "promoted with no arbiter: " + p.events);
            assertFalse(p.events.stream().anyMatch(e -> e.startsWith("FAILOVER")), p.events.toString());
            assertEquals(1, asked.get(), "a final refusal is not asked for again (no log flood)");
        }
    }
}
