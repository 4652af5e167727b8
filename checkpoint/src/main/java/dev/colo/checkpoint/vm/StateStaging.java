package dev.colo.checkpoint.vm;

import java.io.IOException;

/**
 * Incoming state held apart from the running VM. A checkpoint that breaks midway is discarded and
 * leaves the VM on its last consistent state.
 */
public interface StateStaging {
    /** Appends bytes of the state stream. Throws on bytes that cannot belong to a valid state. */
    void accept(byte[] src, int off, int len) throws IOException;

    /** Appends the remaining bytes of {@code src} (e.g. straight from a network buffer). Override to avoid a copy. */
    default void accept(java.nio.ByteBuffer src) throws IOException {
        byte[] tmp = new byte[src.remaining()];
        src.get(tmp);
        accept(tmp, 0, tmp.length);
    }

    /** Bytes staged so far. */
    long size();

    /** Checks the staged stream is complete and well formed; after this, {@link #apply()} cannot fail on content. */
    void verify() throws IOException;

    /** Makes the VM's state the staged one. The VM must be paused. */
    void apply() throws IOException;

    /** Drops the staged state. */
    void discard();
}
