package dev.colo.compare.pipeline;

import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.OutputComparator;
import dev.colo.compare.packet.FrameDecoder;
import java.nio.ByteBuffer;

/**
 * The comparator on the caller's thread: each call copies, parses, compares and emits before it
 * returns, through the same event and handler as the Disruptor's compare stage, with no hand-off to
 * another thread. For a node whose inputs all arrive on one event loop. Not thread-safe: one thread
 * makes every call.
 */
public final class InlineCompare implements CompareStage {
    private final FrameEvent event = new FrameEvent();
    private final FrameDecoder decoder = new FrameDecoder();
    private final InlineEmit emit;
    private final OutputComparator comparator;
    private final CompareHandler handler;
    private boolean closed;

    public InlineCompare(CompareConfig config, CheckpointGate gate, DecisionListener sink) {
        this.emit = new InlineEmit(sink);
        this.comparator = new OutputComparator(config, gate, emit);
        this.handler = new CompareHandler(comparator, emit::onEnd);
    }

    @Override
    public void publish(int side, long timestampNanos, int linkType, ByteBuffer frame) {
        if (closed) {
            return;
        }
        event.setFrame(side, timestampNanos, linkType, frame);
        decoder.decode(linkType, event.data, 0, event.length, event.info);
        handler.onEvent(event, 0, true);
    }

    @Override
    public boolean canAccept(int side) {
        return comparator.canAccept(side);
    }

    @Override
    public void tick(long nowNanos) {
        control(FrameEvent.TICK, nowNanos);
    }

    @Override
    public void enterUnprotected(long nowNanos) {
        control(FrameEvent.UNPROTECT, nowNanos);
    }

    @Override
    public void resumeProtection(long nowNanos) {
        control(FrameEvent.PROTECT, nowNanos);
    }

    private void control(int type, long nowNanos) {
        if (closed) {
            return;
        }
        event.setControl(type, nowNanos, false);
        handler.onEvent(event, 0, true);
    }

    @Override
    public OutputComparator comparator() {
        return comparator;
    }

    /** Held frames stay held (no drain), as {@link ComparePipeline#close()}. */
    @Override
    public void close() {
        closed = true;
    }
}
