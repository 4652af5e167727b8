package dev.colo.proxy.node;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.proxy.io.FramePort;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

/**
 * Announces a takeover on the LAN: the promoted node sends, for each address its VM answers for, a gratuitous ARP
 * (IPv4: a request for its own address, from its own MAC, to everyone) or an unsolicited neighbour advertisement
 * (IPv6: override flag, to all nodes), so switches and neighbours learn the new port at once instead of from the
 * next frame the VM happens to send (a quiet service may send none). The addresses are learned from the VM's own
 * output before the takeover: the source of its IPv4 and IPv6 frames and of its ARP. A few entries at most, checked
 * per frame with no allocation. Loop only.
 */
final class TakeoverAnnouncer {
    private static final Logger LOG = Logger.getLogger(TakeoverAnnouncer.class.getName());
    /** A VM answers for few addresses; more are not tracked (the first ones are announced). */
    static final int MAX_ADDRESSES = 8;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private final int[] ips = new int[MAX_ADDRESSES];
    private final byte[][] macs = new byte[MAX_ADDRESSES][6];
    private int count;
    /** IPv6 addresses as two longs each: compared per frame without allocating. */
    private final long[] ips6High = new long[MAX_ADDRESSES];
    private final long[] ips6Low = new long[MAX_ADDRESSES];
    private final byte[][] macs6 = new byte[MAX_ADDRESSES][6];
    private int count6;

    /** Notes the VM's (MAC, address) from one of its output frames (position..limit, unchanged). */
    void learn(ByteBuffer frame) {
        int p = frame.position();
        if (frame.remaining() < 42) {
            return;
        }
        int type = frame.getShort(p + 12) & 0xffff;
        if (type == ETHERTYPE_IPV6 && frame.remaining() >= 54 && (frame.get(p + 14) & 0xf0) == 0x60) {
            learn6(frame, p);
            return;
        }
        int ip;
        if (type == ETHERTYPE_IPV4 && (frame.get(p + 14) & 0xf0) == 0x40) {
            ip = frame.getInt(p + 26);
        } else if (type == ETHERTYPE_ARP) {
            ip = frame.getInt(p + 28); // sender protocol address
        } else {
            return;
        }
        if (ip == 0) {
            return;
        }
        for (int i = 0; i < count; i++) {
            if (ips[i] == ip) {
                return;
            }
        }
        if (count < MAX_ADDRESSES) {
            ips[count] = ip;
            frame.get(p + 6, macs[count], 0, 6); // the Ethernet source: the VM's MAC
            count++;
        }
    }

    /** The IPv6 source at p + 22: neither unspecified (::, duplicate address detection) nor multicast. */
    private void learn6(ByteBuffer frame, int p) {
        int src = p + 22;
        if ((frame.get(src) & 0xff) == 0xff || (frame.getLong(src) == 0 && frame.getLong(src + 8) == 0)) { // multicast, ::
            return;
        }
        long high = frame.getLong(src);
        long low = frame.getLong(src + 8);
        for (int i = 0; i < count6; i++) {
            if (ips6High[i] == high && ips6Low[i] == low) {
                return;
            }
        }
        if (count6 < MAX_ADDRESSES) {
            ips6High[count6] = high;
            ips6Low[count6] = low;
            frame.get(p + 6, macs6[count6], 0, 6);
            count6++;
        }
    }

    int known() {
        return count + count6;
    }

    /** Sends one gratuitous ARP or neighbour advertisement per known address out of {@code port}; returns how many were sent. */
    int announce(FramePort port) {
        byte[] b = new byte[128];
        ByteBuffer out = ByteBuffer.allocateDirect(128);
        int sent = 0;
        for (int i = 0; i < count; i++) {
            int len = new FrameBuilder().macs(macs[i], BROADCAST).arp(b, 0, 1, ips[i], ips[i], new byte[6]);
            sent += send(port, out, b, len);
        }
        for (int i = 0; i < count6; i++) {
            byte[] target = ByteBuffer.allocate(16).putLong(ips6High[i]).putLong(ips6Low[i]).array();
            int len = new FrameBuilder().macs(macs6[i], FrameBuilder.ALL_NODES_MAC).neighbourAdvertisement(b, 0, target);
            sent += send(port, out, b, len);
        }
        return sent;
    }

    private static int send(FramePort port, ByteBuffer out, byte[] frame, int len) {
        out.clear();
        out.put(frame, 0, len).flip();
        try {
            return port.send(out) ? 1 : 0;
        } catch (java.io.IOException e) {
            LOG.warning("takeover announcement on " + port.describe() + " failed: " + e.getMessage());
            return 0;
        }
    }
}
