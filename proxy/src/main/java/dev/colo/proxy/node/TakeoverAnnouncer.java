package dev.colo.proxy.node;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.proxy.io.FramePort;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

/**
 * Announces a takeover on the LAN: the promoted node sends a gratuitous ARP (a request for its own address,
 * from its own MAC, to everyone) for each IPv4 address its VM answers for, so switches and neighbours learn
 * the new port at once instead of from the next frame the VM happens to send (a quiet service may send none).
 * The addresses are learned from the VM's own output before the takeover: IPv4 frames and ARP it sent. A few
 * entries at most, checked per frame with no allocation. IPv6 (unsolicited neighbour advertisements) is not
 * done yet. Loop only.
 */
final class TakeoverAnnouncer {
    private static final Logger LOG = Logger.getLogger(TakeoverAnnouncer.class.getName());
    /** A VM answers for few addresses; more are not tracked (the first ones are announced). */
    static final int MAX_ADDRESSES = 8;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private final int[] ips = new int[MAX_ADDRESSES];
    private final byte[][] macs = new byte[MAX_ADDRESSES][6];
    private int count;

    /** Notes the VM's (MAC, IPv4) from one of its output frames (position..limit, unchanged). */
    void learn(ByteBuffer frame) {
        int p = frame.position();
        if (frame.remaining() < 42) {
            return;
        }
        int type = frame.getShort(p + 12) & 0xffff;
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

    int known() {
        return count;
    }

    /** Sends one gratuitous ARP per known address out of {@code port}; returns how many were sent. */
    int announce(FramePort port) {
        byte[] b = new byte[64];
        ByteBuffer out = ByteBuffer.allocateDirect(64);
        int sent = 0;
        for (int i = 0; i < count; i++) {
            int len = new FrameBuilder().macs(macs[i], BROADCAST).arp(b, 0, 1, ips[i], ips[i], new byte[6]);
            out.clear();
            out.put(b, 0, len).flip();
            try {
                if (port.send(out)) {
                    sent++;
                }
            } catch (java.io.IOException e) {
                LOG.warning("takeover announcement on " + port.describe() + " failed: " + e.getMessage());
            }
        }
        return sent;
    }
}
