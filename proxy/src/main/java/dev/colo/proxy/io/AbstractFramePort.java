package dev.colo.proxy.io;

import java.nio.ByteBuffer;

/**
 * What every backend shares: its name, counters, the poll-plus-eventfd waiter, and a close that is
 * synchronized with {@link #wakeup()} (never writes to an eventfd number that close has freed).
 * Subclasses do the I/O and release their own resources in {@link #releaseResources()}.
 */
abstract class AbstractFramePort implements FramePort {
    protected final String name;
    protected final FdWaiter waiter;
    protected final PortStats stats = new PortStats();
    protected volatile boolean closed;

    protected AbstractFramePort(String name, FdWaiter waiter) {
        this.name = name;
        this.waiter = waiter;
    }

    @Override
    public boolean awaitFrame(int timeoutMillis) throws PortException {
        checkOpen();
        return waiter.await(timeoutMillis);
    }

    @Override
    public int readinessFd() {
        return waiter.frameFd();
    }

    @Override
    public synchronized void wakeup() {
        if (!closed) {
            waiter.wakeup();
        }
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public PortStats stats() {
        return stats;
    }

    /** What every receive checks first: the port is open and {@code dst} has room; returns the room. */
    protected final int roomToReceive(ByteBuffer dst) throws PortException {
        checkOpen();
        int room = dst.remaining();
        if (room == 0) {
            throw new IllegalArgumentException("no room left in the receive buffer");
        }
        return room;
    }

    protected final void checkOpen() throws PortException {
        if (closed) {
            throw new PortException(name, "closed");
        }
    }

    /** Wake and stop the receiving thread first. */
    @Override
    public final synchronized void close() {
        if (!closed) {
            closed = true;
            waiter.close();
            releaseResources();
        }
    }

    /** Closes the backend's fd or handle and frees its native memory; called once. */
    protected abstract void releaseResources();
}
