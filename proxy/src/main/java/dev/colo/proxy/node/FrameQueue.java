package dev.colo.proxy.node;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.ProducerType;
import java.nio.ByteBuffer;

/**
 * A bounded queue of frames in reusable direct slots (a Disruptor ring drained by polling): the frames a
 * secondary holds while its SVM is paused. When it is full the frame is refused (the caller counts it), as a full
 * NIC queue would drop it: the link's reader never blocks.
 */
final class FrameQueue {
    /** One reusable slot; grows once to the largest frame seen. */
    static final class Slot {
        ByteBuffer data = ByteBuffer.allocateDirect(2048);
    }

    /** Consumes one frame (position..limit), valid during the call. */
    interface Consumer {
        void onFrame(ByteBuffer frame);
    }

    private final RingBuffer<Slot> ring;
    private final EventPoller<Slot> poller;
    private final int maxFrame;
    private final EventPoller.Handler<Slot> handler;

    FrameQueue(int size, int maxFrame, Consumer consumer) {
        this.handler = (slot, sequence, endOfBatch) -> {
            consumer.onFrame(slot.data);
            return true;
        };
        this.ring = RingBuffer.create(ProducerType.SINGLE, Slot::new, size, new com.lmax.disruptor.BlockingWaitStrategy());
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.maxFrame = maxFrame;
    }

    /** Copies the frame in; false (and counted) when the queue is full or the frame too big. */
    boolean offer(ByteBuffer frame) {
        int len = frame.remaining();
        if (len > maxFrame) {
            return false;
        }
        long seq;
        try {
            seq = ring.tryNext();
        } catch (com.lmax.disruptor.InsufficientCapacityException e) {
            return false;
        }
        try {
            Slot s = ring.get(seq);
            if (s.data.capacity() < len) {
                s.data = ByteBuffer.allocateDirect(Math.max(len, s.data.capacity() * 2));
            }
            s.data.clear().limit(len);
            s.data.put(0, frame, frame.position(), len); // absolute: no view of the frame allocated
        } finally {
            ring.publish(seq);
        }
        return true;
    }

    /** Drains what is queued; true if there was anything. */
    boolean drain() {
        try {
            return poller.poll(handler) == EventPoller.PollState.PROCESSING;
        } catch (Exception e) {
            throw new IllegalStateException("draining a frame queue: " + e.getMessage(), e);
        }
    }

    /** Frames queued now; any thread. */
    int depth() {
        return (int) (ring.getCursor() - poller.getSequence().get());
    }
}
