package dev.colo.compare.pipeline;

import dev.colo.compare.OutputComparator;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Back-pressure across the Disruptor: the compare thread says, after every event, how many more frames of
 * each side the store is sure to take and how many of that side it has processed; the publisher (one
 * thread) counts what it published. A side may be published while the frames in flight are fewer than the
 * room, so the comparator never meets a frame it cannot hold. No lock: ordered stores and volatile loads.
 */
final class Admission {
    private final AtomicLongArray processed = new AtomicLongArray(2);
    private final AtomicIntegerArray room = new AtomicIntegerArray(2);
    /** Publisher thread only. */
    private final long[] published = new long[2];

    Admission(OutputComparator comparator) {
        update(comparator);
    }

    /** Publisher: one more frame of {@code side} is on its way. */
    void published(int side) {
        published[side]++;
    }

    /** Compare thread: after any event (a frame, a tick, a flush may all change the room). */
    void processed(int side, OutputComparator comparator) {
        update(comparator);
        processed.lazySet(side, processed.get(side) + 1); // after the room: a reader that sees it sees the room too
    }

    void update(OutputComparator comparator) {
        room.lazySet(0, comparator.room(0));
        room.lazySet(1, comparator.room(1));
    }

    /** Publisher: whether one more frame of {@code side} is sure to find room. */
    boolean canAccept(int side) {
        long inFlight = published[side] - processed.get(side);
        return inFlight < room.get(side);
    }
}
