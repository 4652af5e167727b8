package dev.colo.checkpoint.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseTableTest {
    private final AtomicLong now = new AtomicLong();
    private final List<LeaseEvent> events = new ArrayList<>();
    private final LeaseTable table = new LeaseTable(now::get, events::add, LeaseTable.DEFAULT_MAX_CLUSTERS);

    private void advanceMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void theLeaseOutlastsTheHoldersTtlByHalfATtl() {
        assertTrue(table.claim("c", "a", 3000).accepted());
        advanceMillis(4499);
        LeaseTable.Outcome denied = table.claim("c", "b", 3000);
        assertFalse(denied.accepted());
        assertEquals(new LeaseTable.Lease("a", 1), denied.lease());
        advanceMillis(1);
        assertTrue(table.claim("c", "b", 3000).accepted());
    }

    @Test
    void aRenewalRestartsTheLeaseWithoutAnEvent() {
        table.claim("c", "a", 1000);
        advanceMillis(1400);
        table.claim("c", "a", 1000);
        advanceMillis(1400);
        assertEquals("a", table.status("c").holder());
        assertEquals(1, events.size());
    }

    @Test
    void remainingTimeIsRoundedUpSoALiveLeaseNeverShowsZero() {
        table.claim("c", "a", 1000);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1500) - 1);
        assertEquals(1, table.status("c").remainingMillis());
    }

    @Test
    void survivesTheNanoTimeCounterWrapping() {
        now.set(Long.MAX_VALUE - TimeUnit.MILLISECONDS.toNanos(500));
        table.claim("c", "a", 1000);
        advanceMillis(1000); // now past the wrap
        assertEquals("a", table.status("c").holder());
        advanceMillis(500);
        assertNull(table.status("c"));
    }

    @Test
    void sweepingDropsExpiredLeasesOnly() {
        table.claim("old", "a", 1000);
        advanceMillis(1000);
        table.claim("new", "b", 1000);
        advanceMillis(600);
        table.expireStale();
        assertEquals(1, table.size());
        assertEquals(new LeaseEvent(LeaseEvent.Kind.EXPIRED, "old", "a", 0), events.get(2));
    }

    @Test
    void aFailingListenerDoesNotBreakTheTable() {
        LeaseTable t = new LeaseTable(now::get, e -> {
            throw new IllegalStateException("log is broken");
        }, 4);
        assertTrue(t.claim("c", "a", 1000).accepted());
        assertEquals("a", t.status("c").holder());
    }

    @Test
    void rejectsNewClustersPastTheLimit() {
        LeaseTable t = new LeaseTable(now::get, LeaseListener.NONE, 1);
        t.claim("c1", "a", 1000);
        assertThrows(IllegalStateException.class, () -> t.claim("c2", "a", 1000));
    }
}
