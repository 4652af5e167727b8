package dev.colo.compare.pipeline;

import dev.colo.compare.OutputComparator;
import java.nio.ByteBuffer;

/**
 * Where a live node hands its output frames to the comparator: on the node's own thread
 * ({@link InlineCompare}) or through the Disruptor to a compare thread ({@link ComparePipeline}).
 */
public interface CompareStage extends AutoCloseable {
    /** One output frame (position..limit, copied before the call returns) of {@code side}. */
    void publish(int side, long timestampNanos, int linkType, ByteBuffer frame);

    /**
     * Whether one more frame of {@code side} is sure to find room in the comparator: a caller that reads a
     * side's source only while this holds never makes it lose a frame (back-pressure). The publishing thread only.
     */
    boolean canAccept(int side);

    /** Advances the comparator's clock without a frame: timeouts fire, commits are noticed. */
    void tick(long nowNanos);

    /** The secondary is gone: held output is released and the primary's output passes from now on. */
    void enterUnprotected(long nowNanos);

    /** A secondary is in sync again: compare from a clean slate. */
    void resumeProtection(long nowNanos);

    OutputComparator comparator();

    @Override
    void close();
}
