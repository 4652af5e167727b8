package dev.colo.compare.pipeline;

import dev.colo.compare.CopyingDecisions;
import dev.colo.compare.DecisionListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Emits decisions on the compare thread itself: one thread hand-off less per released frame, for live
 * nodes where latency counts more than keeping I/O off the comparator. Released frames are copied out by
 * the sink before it returns (a plain listener: the comparator reuses the slot at once).
 */
final class InlineEmit extends CopyingDecisions {
    private final CountDownLatch ended = new CountDownLatch(1);

    InlineEmit(DecisionListener sink) {
        super(sink);
    }

    void onEnd() {
        ended.countDown();
    }

    boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }
}
