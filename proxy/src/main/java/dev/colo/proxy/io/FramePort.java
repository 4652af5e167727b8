package dev.colo.proxy.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One Ethernet port the appliance reads and writes whole frames on: a TAP device, an AF_PACKET socket
 * bound to an interface, or a libpcap handle. Backends sit behind this one interface (chosen by
 * {@link FramePortType}), as MINA sshd's I/O backends sit behind its SPI.
 *
 * <p>Not thread-safe: one thread receives; sends may come from one other thread (a backend documents
 * if it allows more). No allocation per frame in the AF_PACKET and TAP backends.
 */
public interface FramePort extends AutoCloseable {
    /**
     * Receives one frame into {@code dst} (a direct buffer), from its position up to its limit; on return
     * the position has advanced by the frame's length. Returns the length, or 0 when no frame waits
     * (never blocks). A frame longer than the space is truncated to it and counted.
     */
    int receive(ByteBuffer dst) throws IOException;

    /**
     * Sends the frame between {@code frame}'s position and limit (position unchanged; a direct buffer, though
     * the pcap backend takes any). Returns false when
     * the port dropped it because its queue is full (counted), true when it was handed to the kernel.
     */
    boolean send(ByteBuffer frame) throws IOException;

    /** Waits until a frame can be received or the timeout passes; true if one can. Interruptible by {@link #wakeup()}. */
    boolean awaitFrame(int timeoutMillis) throws IOException;

    /**
     * A file descriptor that polls readable when a frame may be received, for an event loop to watch
     * (level-triggered: it stays readable until {@link #receive} has taken what waits). Owned by the port;
     * watchers must stop watching before {@link #close()}.
     */
    int readinessFd();

    /** Makes a thread blocked in {@link #awaitFrame} return early (e.g. to shut down). */
    void wakeup();

    /**
     * Frames the kernel dropped because this port's receive queue was full, since it opened; -1 when the
     * backend cannot tell. For status lines, not per frame: it may cost a system call.
     */
    default long kernelDrops() {
        return -1;
    }

    /** e.g. "afpacket veth0", "tap colo0", "pcap eth1 (filter 'tcp')". */
    String describe();

    PortStats stats();

    @Override
    void close();
}
