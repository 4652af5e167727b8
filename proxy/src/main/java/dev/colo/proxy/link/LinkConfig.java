package dev.colo.proxy.link;

import java.time.Duration;

/**
 * Named configuration of a frame link, defaults in one place. A link copies it when it is created, so
 * later changes do not reach a running link.
 *
 * <p>How a broken link is noticed: QEMU sends no heartbeats and a mirror link may be silent for as long as
 * the guest is, so silence is not a failure. A peer that is gone is found by TCP keepalive (probes after
 * {@link #keepAliveIdle} of silence, every {@link #keepAliveInterval}, {@link #keepAliveCount} unanswered
 * ones end it) and, with epoll, TCP_USER_TIMEOUT (sent data unacknowledged that long ends it). A peer that
 * is there but does not read is found by the write stall check: bytes waiting in our outbound buffer with
 * no progress for {@link #writeStallTimeout}.
 */
public final class LinkConfig {
    /** virtio 1.0 devices (and legacy ones with mergeable rx buffers) use the 12-byte header. */
    public static final int DEFAULT_VNET_HDR_LEN = LinkWire.VIRTIO_NET_HDR_MRG_RXBUF_LEN;
    /** Larger than any virtio-net header QEMU knows (20 with hash reports, 24 with tunnel offloads). */
    public static final int MAX_VNET_HDR_LEN = 64;
    /** QEMU's NET_BUFSIZE: a frame longer than this (vnet header included) makes QEMU drop the connection. */
    public static final int DEFAULT_MAX_FRAME = LinkWire.QEMU_MAX_FRAME;
    /** Above this many queued bytes (about 30 ms of a 1 Gbit/s link) the link is not writable: its feeders pause. */
    public static final int DEFAULT_WRITE_HIGH_WATER = 4 << 20;
    /**
     * A hard limit for a sender that ignores back-pressure: frames beyond it are refused and counted. Above
     * what one release burst can add past the high-water mark (a flush of a full comparator store: ~60 MiB).
     */
    public static final long DEFAULT_QUEUE_LIMIT = 128L << 20;
    public static final int DEFAULT_WRITE_LOW_WATER = 2 << 20;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofMillis(200);
    /**
     * A peer that reads nothing for this long is taken as stuck. Long, because a peer that applies back-pressure
     * also reads nothing for a while: a comparator waits up to its compare timeout (3 s) and a checkpoint before
     * it has room again. A peer that is gone is found sooner, by keepalive and TCP_USER_TIMEOUT.
     */
    public static final Duration DEFAULT_WRITE_STALL_TIMEOUT = Duration.ofSeconds(30);
    /** With the interval and count below, a silent dead peer is found in about 6 s. */
    public static final Duration DEFAULT_KEEPALIVE_IDLE = Duration.ofSeconds(3);
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_KEEPALIVE_COUNT = 3;
    /** Epoll only: sent bytes unacknowledged this long end the connection (zero leaves the kernel's ~15 min). */
    public static final Duration DEFAULT_TCP_USER_TIMEOUT = Duration.ofSeconds(5);
    /**
     * A frame begun must be complete within this (a stranger sending a byte a second, a peer dead mid-frame), and a
     * peer that sent no whole frame in this long gives way to a newcomer. QEMU writes a frame in one go.
     */
    public static final Duration DEFAULT_FRAME_DEADLINE = Duration.ofSeconds(3);

    private boolean vnetHdr;
    private int vnetHdrLen = DEFAULT_VNET_HDR_LEN;
    private int maxFrame = DEFAULT_MAX_FRAME;
    private int writeHighWater = DEFAULT_WRITE_HIGH_WATER;
    private int writeLowWater = DEFAULT_WRITE_LOW_WATER;
    private long queueLimit = DEFAULT_QUEUE_LIMIT;
    private boolean holdWhileDown;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;
    private Duration writeStallTimeout = DEFAULT_WRITE_STALL_TIMEOUT;
    private Duration keepAliveIdle = DEFAULT_KEEPALIVE_IDLE;
    private Duration keepAliveInterval = DEFAULT_KEEPALIVE_INTERVAL;
    private int keepAliveCount = DEFAULT_KEEPALIVE_COUNT;
    private Duration tcpUserTimeout = DEFAULT_TCP_USER_TIMEOUT;
    private Duration frameDeadline = DEFAULT_FRAME_DEADLINE;
    /** The peer sends frames on this link (false: it only receives, like a mirror's or outdev's peer). */
    private boolean peerSends = true;

    /** Checks the values together; returns this, for chaining. */
    public LinkConfig validate() {
        require(vnetHdrLen >= 0 && vnetHdrLen <= MAX_VNET_HDR_LEN, "vnet header length must be 0.." + MAX_VNET_HDR_LEN);
        require(maxFrame >= 64 && maxFrame <= 16 << 20, "max frame must be 64 B .. 16 MiB");
        require(!vnetHdr || vnetHdrLen < maxFrame, "the vnet header must leave room for a frame");
        require(writeLowWater > 0 && writeLowWater <= writeHighWater, "write water marks must satisfy 0 < low <= high");
        require(queueLimit >= writeHighWater, "the queue limit must be at least the high-water mark");
        require(positive(connectTimeout) && positive(reconnectDelay) && positive(writeStallTimeout) && positive(frameDeadline),
                "connect timeout, reconnect delay, write stall timeout and frame deadline must be positive");
        require(keepAliveIdle.getSeconds() >= 1 && keepAliveInterval.getSeconds() >= 1 && keepAliveCount >= 1,
                "keepalive idle and interval must be >= 1 s (TCP counts whole seconds), count >= 1");
        require(!tcpUserTimeout.isNegative() && tcpUserTimeout.toMillis() <= Integer.MAX_VALUE,
                "TCP user timeout must be 0 (off) or a positive number of ms");
        return this;
    }

    /** An independent copy, so that a link is not changed behind its back. */
    public LinkConfig copy() {
        LinkConfig c = new LinkConfig();
        c.vnetHdr = vnetHdr;
        c.vnetHdrLen = vnetHdrLen;
        c.maxFrame = maxFrame;
        c.writeHighWater = writeHighWater;
        c.writeLowWater = writeLowWater;
        c.queueLimit = queueLimit;
        c.holdWhileDown = holdWhileDown;
        c.connectTimeout = connectTimeout;
        c.reconnectDelay = reconnectDelay;
        c.writeStallTimeout = writeStallTimeout;
        c.keepAliveIdle = keepAliveIdle;
        c.keepAliveInterval = keepAliveInterval;
        c.keepAliveCount = keepAliveCount;
        c.tcpUserTimeout = tcpUserTimeout;
        c.frameDeadline = frameDeadline;
        c.peerSends = peerSends;
        return c;
    }

    /** The longest Ethernet frame {@code send} accepts: the max frame less the vnet header we prepend. */
    public int maxPayload() {
        return vnetHdr ? maxFrame - vnetHdrLen : maxFrame;
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** QEMU's vnet_hdr_support: both ends must agree, nothing on the wire says which. */
    public boolean vnetHdr() { return vnetHdr; }
    public LinkConfig vnetHdr(boolean v) { vnetHdr = v; return this; }
    /** The header length we send (zeroed: no checksum or GSO offload); received frames carry their own. */
    public int vnetHdrLen() { return vnetHdrLen; }
    public LinkConfig vnetHdrLen(int v) { vnetHdrLen = v; return this; }
    /** The largest length field accepted or sent (it counts the vnet header). */
    public int maxFrame() { return maxFrame; }
    public LinkConfig maxFrame(int v) { maxFrame = v; return this; }
    public int writeHighWater() { return writeHighWater; }
    public LinkConfig writeHighWater(int v) { writeHighWater = v; return this; }
    public int writeLowWater() { return writeLowWater; }
    public LinkConfig writeLowWater(int v) { writeLowWater = v; return this; }
    public long queueLimit() { return queueLimit; }
    public LinkConfig queueLimit(long v) { queueLimit = v; return this; }
    /**
     * Frames sent while no connection is up wait for the next one instead of being refused (an outdev whose
     * peer reconnects gets every released frame). Off for links whose peer may be a new one (the mirror).
     */
    public boolean holdWhileDown() { return holdWhileDown; }
    public LinkConfig holdWhileDown(boolean v) { holdWhileDown = v; return this; }
    public Duration connectTimeout() { return connectTimeout; }
    public LinkConfig connectTimeout(Duration v) { connectTimeout = v; return this; }
    /** Client only: the pause between connection attempts. */
    public Duration reconnectDelay() { return reconnectDelay; }
    public LinkConfig reconnectDelay(Duration v) { reconnectDelay = v; return this; }
    public Duration writeStallTimeout() { return writeStallTimeout; }
    public LinkConfig writeStallTimeout(Duration v) { writeStallTimeout = v; return this; }
    public Duration keepAliveIdle() { return keepAliveIdle; }
    public LinkConfig keepAliveIdle(Duration v) { keepAliveIdle = v; return this; }
    public Duration keepAliveInterval() { return keepAliveInterval; }
    public LinkConfig keepAliveInterval(Duration v) { keepAliveInterval = v; return this; }
    public int keepAliveCount() { return keepAliveCount; }
    public LinkConfig keepAliveCount(int v) { keepAliveCount = v; return this; }
    public Duration tcpUserTimeout() { return tcpUserTimeout; }
    public LinkConfig tcpUserTimeout(Duration v) { tcpUserTimeout = v; return this; }
    /** See {@link #DEFAULT_FRAME_DEADLINE}. */
    public Duration frameDeadline() { return frameDeadline; }
    public LinkConfig frameDeadline(Duration v) { frameDeadline = v; return this; }
    /**
     * Whether the peer is expected to send frames. Only then is a peer that sent no whole frame within the frame
     * deadline a stranger that a newcomer may displace: the secondary on a mirror link, or outdev's reader, never
     * sends, and must keep its slot (without authentication a silent stranger there cannot be told from it).
     */
    public boolean peerSends() { return peerSends; }
    public LinkConfig peerSends(boolean v) { peerSends = v; return this; }

    @Override
    public String toString() {
        return "vnet_hdr " + (vnetHdr ? "on (" + vnetHdrLen + " B)" : "off") + ", max frame " + maxFrame
                + " B, write water " + writeLowWater + ".." + writeHighWater + " B, stall timeout " + writeStallTimeout.toMillis()
                + " ms, frame deadline " + frameDeadline.toMillis() + " ms, keepalive " + keepAliveIdle.getSeconds() + "s/" + keepAliveInterval.getSeconds() + "s x" + keepAliveCount;
    }
}
