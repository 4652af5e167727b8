package dev.colo.cli.lab;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * The frames a {@link CompareFeeder} sends: VM output (10.0.0.2) to {@code flows} clients, Ethernet/IPv4,
 * the first flows TCP, the last {@code udpFlows} UDP. Frame {@code i} belongs to flow {@code i % flows}
 * and is that flow's frame {@code j = i / flows}. Every frame is a pure function of its index and side,
 * so the two sides and the verifier build it independently.
 *
 * <ul>
 *   <li>TCP: ACK|PSH, a constant ack, seq = the flow's ISN + the payload bytes of its earlier frames.
 *   <li>Payload: a 6-byte stamp (flow u16, index u32, big-endian) then a filler pattern of the flow.
 *   <li>Sizes: fixed, or a mix: each flow cycles through {@value #MIX_SLOTS} sizes drawn from [min, max]
 *       (seeded), so a frame's seq is computed in O(1).
 *   <li>Checksums: IPv4 header, TCP and UDP all valid, computed incrementally from per-template sums.
 *   <li>IP ID: the index's low 16 bits; the secondary's differs by 0x8000 when {@code distinctIpIds}
 *       (the comparators ignore it), so then the two sides differ only in the IP ID and IP checksum.
 * </ul>
 *
 * <p>Building a frame copies a prebuilt template (one per flow and size slot) and patches the IP ID,
 * the seq, the stamp and the checksums: no allocation.
 */
public final class CompareFeederFrames {
    /** Sizes per flow in the mixed mode (the cycle a flow's frame sizes repeat with). */
    public static final int MIX_SLOTS = 32;
    public static final int MIN_FRAME = 60;
    public static final int MAX_FRAME = 9014;
    static final int ETH = 14;
    static final int IP = 20;
    static final int TCP_HDR = 20;
    static final int UDP_HDR = 8;
    static final int STAMP = 6;
    static final int TCP_ACK = 0x01020304;
    static final int SERVER_TCP_PORT = 8000;
    static final int SERVER_UDP_PORT = 7000;

    private final int flows;
    private final int udpFlows;
    private final int slots;
    private final boolean distinctIpIds;
    /** [flow][slot] whole frame, stamp, seq, IP ID and checksums zero. */
    private final byte[][][] templates;
    /** [flow][slot] one's-complement sum (unfolded) of the IP header without ID and checksum. */
    private final long[][] ipSum;
    /** [flow][slot] one's-complement sum (unfolded) of pseudo-header + L4 header + payload, variable parts zero. */
    private final long[][] l4Sum;
    /** [flow][slot] TCP payload length. */
    private final int[][] payload;
    /** [flow][k] payload bytes of the flow's slots 0..k-1; [flow][slots] is one whole cycle. */
    private final long[][] prefix;
    private final int[] isn;

    /**
     * @param minSize smallest frame (>= 60), {@code maxSize} the largest; equal for a fixed size
     * @param seed    the ISNs, filler bytes and the size mix
     */
    public CompareFeederFrames(int flows, int udpFlows, int minSize, int maxSize, boolean distinctIpIds, long seed) {
        if (flows < 1 || flows > 65535) {
            throw new IllegalArgumentException("flows must be 1..65535, got " + flows);
        }
        if (udpFlows < 0 || udpFlows > flows) {
            throw new IllegalArgumentException("udpFlows must be 0.." + flows + ", got " + udpFlows);
        }
        if (minSize < MIN_FRAME || maxSize > MAX_FRAME || minSize > maxSize) {
            throw new IllegalArgumentException("frame sizes must be " + MIN_FRAME + ".." + MAX_FRAME + " with min <= max, got "
                    + minSize + ".." + maxSize);
        }
        this.flows = flows;
        this.udpFlows = udpFlows;
        this.slots = minSize == maxSize ? 1 : MIX_SLOTS;
        this.distinctIpIds = distinctIpIds;
        Random random = new Random(seed);
        templates = new byte[flows][slots][];
        ipSum = new long[flows][slots];
        l4Sum = new long[flows][slots];
        payload = new int[flows][slots];
        prefix = new long[flows][slots + 1];
        isn = new int[flows];
        byte[] filler = new byte[MAX_FRAME];
        for (int f = 0; f < flows; f++) {
            isn[f] = random.nextInt();
            for (int k = 0; k < filler.length; k++) {
                filler[k] = (byte) (f * 31 + k * 7 + (k >> 8));
            }
            boolean udp = isUdp(f);
            for (int s = 0; s < slots; s++) {
                int size = slots == 1 ? minSize : minSize + random.nextInt(maxSize - minSize + 1);
                byte[] t = new byte[size];
                buildTemplate(t, f, udp, filler);
                templates[f][s] = t;
                int l4Len = size - ETH - IP;
                payload[f][s] = l4Len - (udp ? UDP_HDR : TCP_HDR);
                ipSum[f][s] = sum(t, ETH, IP);
                // pseudo-header: src, dst (in the IP header), zero + protocol, L4 length
                l4Sum[f][s] = sum(t, ETH + 12, 8) + (udp ? 17 : 6) + l4Len + sum(t, ETH + IP, l4Len);
                prefix[f][s + 1] = prefix[f][s] + payload[f][s];
            }
        }
    }

    private void buildTemplate(byte[] t, int f, boolean udp, byte[] filler) {
        ByteBuffer b = ByteBuffer.wrap(t);
        // Ethernet: to the client's MAC from the VM's
        b.put(0, new byte[] {0x52, 0x54, 0x00, 0x00, (byte) (f >> 8), (byte) f});
        b.put(6, new byte[] {0x52, 0x54, 0x00, 0x12, 0x34, 0x56});
        b.putShort(12, (short) 0x0800);
        int ip = ETH;
        b.put(ip, (byte) 0x45);
        b.putShort(ip + 2, (short) (t.length - ETH));
        b.putShort(ip + 6, (short) 0x4000); // DF
        b.put(ip + 8, (byte) 64);
        b.put(ip + 9, (byte) (udp ? 17 : 6));
        b.put(ip + 12, new byte[] {10, 0, 0, 2});
        b.put(ip + 16, new byte[] {10, 1, (byte) (f >> 8), (byte) f});
        int l4 = ip + IP;
        int clientPort = 40000 + f % 20000;
        b.putShort(l4, (short) (udp ? SERVER_UDP_PORT : SERVER_TCP_PORT));
        b.putShort(l4 + 2, (short) clientPort);
        int data;
        if (udp) {
            b.putShort(l4 + 4, (short) (t.length - l4));
            data = l4 + UDP_HDR;
        } else {
            b.putInt(l4 + 8, TCP_ACK);
            b.put(l4 + 12, (byte) (5 << 4));
            b.put(l4 + 13, (byte) 0x18); // ACK | PSH
            b.putShort(l4 + 14, (short) 0xffff);
            data = l4 + TCP_HDR;
        }
        System.arraycopy(filler, 0, t, data + STAMP, t.length - data - STAMP);
    }

    public int flows() {
        return flows;
    }

    public boolean isUdp(int flow) {
        return flow >= flows - udpFlows;
    }

    /** The largest frame this generator builds. */
    public int maxFrameSize() {
        int max = 0;
        for (byte[][] perFlow : templates) {
            for (byte[] t : perFlow) {
                max = Math.max(max, t.length);
            }
        }
        return max;
    }

    /** Offset of the stamp in a frame of this flow. */
    public int stampOffset(int flow) {
        return ETH + IP + (isUdp(flow) ? UDP_HDR : TCP_HDR);
    }

    /** Length of frame {@code index}. */
    public int length(long index) {
        int f = (int) (index % flows);
        long j = index / flows;
        return templates[f][(int) (j % slots)].length;
    }

    /**
     * Writes frame {@code index} of one side at {@code at} (absolute; the buffer's position is not used
     * or moved) and returns its length.
     */
    public int write(long index, boolean primary, ByteBuffer dst, int at) {
        int f = (int) (index % flows);
        long j = index / flows;
        int slot = (int) (j % slots);
        byte[] t = templates[f][slot];
        dst.put(at, t, 0, t.length);
        int id = (int) ((index + (primary || !distinctIpIds ? 0 : 0x8000)) & 0xffff);
        int ip = at + ETH;
        dst.putShort(ip + 4, (short) id);
        dst.putShort(ip + 10, (short) ~fold(ipSum[f][slot] + id));
        int l4 = ip + IP;
        int idx = (int) index;
        long l4s = l4Sum[f][slot] + f + (idx >>> 16) + (idx & 0xffff);
        if (isUdp(f)) {
            int stamp = l4 + UDP_HDR;
            dst.putShort(stamp, (short) f);
            dst.putInt(stamp + 2, idx);
            int c = ~fold(l4s) & 0xffff;
            dst.putShort(l4 + 6, (short) (c == 0 ? 0xffff : c));
        } else {
            int seq = (int) (isn[f] + (j / slots) * prefix[f][slots] + prefix[f][slot]);
            dst.putInt(l4 + 4, seq);
            int stamp = l4 + TCP_HDR;
            dst.putShort(stamp, (short) f);
            dst.putInt(stamp + 2, idx);
            l4s += (seq >>> 16) + (seq & 0xffff);
            dst.putShort(l4 + 16, (short) ~fold(l4s));
        }
        return t.length;
    }

    /**
     * The index a frame claims in its stamp, or -1 if it is no frame of this generator's shape (not
     * IPv4, wrong protocol for its flow, too short, flow out of range or not {@code index % flows}).
     */
    public long indexOf(byte[] frame, int offset, int length) {
        if (length < MIN_FRAME || frame[offset + 12] != 0x08 || frame[offset + 13] != 0x00 || frame[offset + ETH] != 0x45) {
            return -1;
        }
        int proto = frame[offset + ETH + 9] & 0xff;
        int stamp = offset + ETH + IP + (proto == 17 ? UDP_HDR : TCP_HDR);
        int flow = ((frame[stamp] & 0xff) << 8) | (frame[stamp + 1] & 0xff);
        if (flow >= flows || (proto == 17) != isUdp(flow) || (proto != 17 && proto != 6)) {
            return -1;
        }
        long index = (((frame[stamp + 2] & 0xffL) << 24) | ((frame[stamp + 3] & 0xff) << 16)
                | ((frame[stamp + 4] & 0xff) << 8) | (frame[stamp + 5] & 0xff));
        return index % flows == flow ? index : -1;
    }

    private static long sum(byte[] b, int off, int len) {
        long s = 0;
        int end = off + len;
        int k = off;
        for (; k + 1 < end; k += 2) {
            s += ((b[k] & 0xff) << 8) | (b[k + 1] & 0xff);
        }
        if (k < end) {
            s += (b[k] & 0xff) << 8;
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }
}
