package dev.colo.checkpoint.arbiter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Real nanoTime plus an offset tests can push forward, so leases expire without sleeping. */
final class SkewedClock {
    private final AtomicLong skewNanos = new AtomicLong();

    long nanoTime() {
        return System.nanoTime() + skewNanos.get();
    }

    void advance(Duration by) {
        skewNanos.addAndGet(by.toNanos());
    }
}
