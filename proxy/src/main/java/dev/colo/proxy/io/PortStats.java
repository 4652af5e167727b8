package dev.colo.proxy.io;

/** Counters of one port, read by monitoring threads while the I/O thread updates them (plain long fields, single writer). */
public final class PortStats {
    volatile long received;
    volatile long receivedBytes;
    volatile long sent;
    volatile long sentBytes;
    volatile long sendDropped;
    volatile long truncated;
    volatile long oversize;
    volatile long errors;

    public long received() {
        return received;
    }

    public long receivedBytes() {
        return receivedBytes;
    }

    public long sent() {
        return sent;
    }

    public long sentBytes() {
        return sentBytes;
    }

    /** Frames the port refused because its queue was full. */
    public long sendDropped() {
        return sendDropped;
    }

    /** Received frames longer than the buffer offered. */
    public long truncated() {
        return truncated;
    }

    /**
     * Received frames longer than the interface's MTU allows (plus Ethernet and two VLAN headers): GRO/GSO
     * super-frames, seen when offloads are on (turn them off for COLO: ethtool -K IF gro off gso off tso off).
     */
    public long oversize() {
        return oversize;
    }

    public long errors() {
        return errors;
    }

    public void countReceived(int bytes) {
        received++;
        receivedBytes += bytes;
    }

    public void countSent(int bytes) {
        sent++;
        sentBytes += bytes;
    }

    public void countSendDropped() {
        sendDropped++;
    }

    public void countTruncated() {
        truncated++;
    }

    public void countOversize() {
        oversize++;
    }

    public void countError() {
        errors++;
    }

    @Override
    public String toString() {
        return "received " + received + " (" + receivedBytes + " B), sent " + sent + " (" + sentBytes + " B), send drops "
                + sendDropped + ", truncated " + truncated + ", oversize " + oversize + ", errors " + errors;
    }
}
