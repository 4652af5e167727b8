package dev.colo.kvm.devices;

/**
 * Where the guest NIC's frames go and come from. Frames move straight between guest RAM and the
 * backend (addresses are host addresses into guest memory): no copy on the Java heap.
 */
public interface NetBackend extends AutoCloseable {
    /** Sends one Ethernet frame of {@code length} bytes at host address {@code src}. A full backend drops it (as a NIC would). */
    void transmit(long src, int length);

    /** Receives one frame into [dst, dst + capacity); returns its length, or -1 if none waits. */
    int receive(long dst, int capacity);

    /**
     * Waits until a frame can be received or {@code timeoutMillis} pass; returns true if one can. Returns
     * false early when the thread is kicked (a pause): callers treat that as a timeout.
     */
    boolean awaitFrame(int timeoutMillis);

    /** A short description for logs, e.g. "tap colo0". */
    String describe();

    @Override
    void close();
}
