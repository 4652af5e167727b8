package dev.colo.cli.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.checkpoint.protocol.Trigger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The gate a live primary's comparator waits on: commits advance it, a lost secondary ends every wait. */
class CoordinatorGateTest {
    @Test
    void aCommitEndsAWaitWithTrue() throws Exception {
        CoordinatorGate gate = new CoordinatorGate();
        AtomicReference<Boolean> result = new AtomicReference<>();
        Thread waiter = new Thread(() -> result.set(gate.awaitCommitted(1, 3_600_000_000_000L)));
        waiter.start();
        gate.onCheckpointCommitted(7, Trigger.ON_DEMAND);
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "still waiting after the commit");
        assertEquals(Boolean.TRUE, result.get());
        assertEquals(1, gate.committedGeneration());
    }

    @Test
    void aLostSecondaryEndsAWaitWithFalseAtOnceNotAtItsTimeout() throws Exception {
        CoordinatorGate gate = new CoordinatorGate();
        AtomicReference<Boolean> result = new AtomicReference<>();
        Thread waiter = new Thread(() -> result.set(gate.awaitCommitted(1, 3_600_000_000_000L))); // an hour
        waiter.start();
        while (waiter.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(1);
        }
        gate.onSecondaryLost("link closed by the peer");
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "still waiting for a commit that cannot come");
        assertEquals(Boolean.FALSE, result.get());
        assertEquals(0, gate.committedGeneration());
        // Later waits are not affected by the earlier loss.
        Thread next = new Thread(() -> result.set(gate.awaitCommitted(1, 3_600_000_000_000L)));
        next.start();
        gate.onCheckpointCommitted(8, Trigger.ON_DEMAND);
        next.join(10_000);
        assertTrue(!next.isAlive() && result.get());
    }
}
