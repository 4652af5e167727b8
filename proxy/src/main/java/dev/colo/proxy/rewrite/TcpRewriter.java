package dev.colo.proxy.rewrite;

import dev.colo.compare.flow.ConnectionTable;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.packet.FrameKind;
import java.nio.ByteBuffer;

/**
 * TCP sequence rewriting on the secondary, so that the SVM's TCP numbers line up with the PVM's.
 *
 * <p>Per connection, offset = SVM ISN - PVM ISN. Frames toward the SVM: ack += offset, and the edges of
 * SACK blocks (they acknowledge SVM-numbered bytes) += offset. Frames from the SVM: seq -= offset (its
 * own SACK blocks are in the peer's space: unchanged). Checksums are patched incrementally.
 *
 * <p>The secondary never sees the PVM's output, so it learns the PVM's ISN from the peer: the first
 * segment with ACK sent toward the VM after a SYN acknowledges ISN + 1. That holds whoever opened the
 * connection: the client's handshake ACK, or the server's SYN-ACK for a connection the VM opened
 * (QEMU's filter-rewriter never handles the latter). TCP timestamps are left alone: the comparator
 * ignores options by default and the SVM's own clock values are never released.
 *
 * <p>While the pair is protected the SVM's output only goes to the comparator, which compares each side
 * relative to its own ISN (it saw the SVM's SYN-ACK before any offset was known): its seq and TSval are
 * then left alone. Once the node forwards the SVM's output to clients (after a failover, see
 * {@link #startForwarding()}), they are moved into the PVM's numbering, which is what the clients know.
 *
 * <p>A committed checkpoint makes the SVM carry the PVM's exact TCP state: every offset becomes zero.
 * That is O(1): each entry remembers the checkpoint generation it was learned in. After a failover the
 * node keeps using this rewriter with its offsets as a plain forwarder.
 *
 * <p>Closing is tracked independently of the offset (QEMU matches FIN/LAST_ACK only when the offset is
 * zero): after FINs both ways or a RST, an entry stays for a grace period, so late retransmissions are
 * still rewritten. IPv4 and IPv6, VLAN-tagged or not. Single-threaded; no allocation or lock per frame.
 */
public final class TcpRewriter {
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;
    private static final int TCP_SEQ = 4;
    private static final int TCP_ACK = 8;
    private static final int TCP_CHECKSUM = 16;
    private static final int TCP_OPTIONS = 20;
    private static final int SACK = 5;
    private static final int TIMESTAMPS = 8;
    private static final int SCRATCH = 65536 + 512;

    private final RewriterConfig config;
    private final ConnectionTable table;
    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameInfo info = new FrameInfo();
    private final byte[] scratch = new byte[SCRATCH];
    private final RewriterStats stats = new RewriterStats();
    // Per connection id:
    private final int[] vmDirection;
    private final int[] svmIsn;
    private final int[] pvmIsn;
    private final byte[] known; // bits: 1 SVM ISN, 2 PVM ISN, 4 offset, 8 SVM TSval, 16 PVM TSval, 32 TS offset
    private final int[] offset;
    private final int[] svmTsval;
    private final int[] pvmTsval;
    private final int[] tsOffset;
    // The timestamp option of the frame being handled: its TSval position (-1: none), TSval and TSecr.
    private int tsAt;
    private int tsVal;
    private int tsEcr;
    private final long[] generationOf;
    private final byte[] fins;  // bit 0: FIN from the VM, bit 1: FIN from the peer, bit 2: RST
    private final long[] closingSince;
    private long generation;
    private volatile boolean forwarding;

    public TcpRewriter(RewriterConfig config) {
        this.config = config;
        int n = config.maxConnections();
        this.table = new ConnectionTable(n);
        vmDirection = new int[n];
        svmIsn = new int[n];
        pvmIsn = new int[n];
        known = new byte[n];
        offset = new int[n];
        svmTsval = new int[n];
        pvmTsval = new int[n];
        tsOffset = new int[n];
        generationOf = new long[n];
        fins = new byte[n];
        closingSince = new long[n];
    }

    /** A frame from the primary's side on its way into the SVM: ack and SACK edges += offset. In place. */
    public Verdict towardSecondary(ByteBuffer frame, long nowNanos) {
        Verdict v = decode(frame);
        if (v != null) {
            return v;
        }
        int id = connection(false, nowNanos);
        if (id == ConnectionTable.NONE) {
            return Verdict.UNCHANGED;
        }
        int flags = info.tcpFlags;
        int options = frame.position() + info.tcpOptionsOffset;
        findTimestamps(frame, options, info.tcpOptionsLength);
        if ((flags & ACK) != 0 && (known[id] & 2) == 0) {
            pvmIsn[id] = info.tcpAck - 1;
            known[id] |= 2;
            if (tsAt >= 0 && tsEcr != 0) {
                pvmTsval[id] = tsEcr;
                known[id] |= 16;
            }
            learn(id);
        }
        trackClose(id, flags, false, nowNanos);
        int off = offsetOf(id);
        int ts = tsOffsetOf(id);
        if (off == 0 && (ts == 0 || tsAt < 0 || tsEcr == 0)) {
            return Verdict.UNCHANGED;
        }
        int tcp = options - TCP_OPTIONS;
        int checksum = tcp + TCP_CHECKSUM;
        if (off != 0) {
            if ((flags & ACK) != 0) {
                TcpFieldEditor.add(frame, tcp + TCP_ACK, off, checksum);
            }
            rewriteSack(frame, options, info.tcpOptionsLength, off, checksum);
        }
        if (ts != 0 && tsAt >= 0 && tsEcr != 0) {
            TcpFieldEditor.add(frame, tsAt + 4, ts, checksum);
        }
        stats.rewrittenTowardSecondary++;
        return Verdict.REWRITTEN;
    }

    /** A frame the SVM sent: learns its ISN and TSval; once forwarding, seq and TSval -= offsets. In place. */
    public Verdict fromSecondary(ByteBuffer frame, long nowNanos) {
        Verdict v = decode(frame);
        if (v != null) {
            return v;
        }
        int id = connection(true, nowNanos);
        if (id == ConnectionTable.NONE) {
            return Verdict.UNCHANGED;
        }
        int flags = info.tcpFlags;
        int options = frame.position() + info.tcpOptionsOffset;
        findTimestamps(frame, options, info.tcpOptionsLength);
        if ((flags & SYN) != 0) {
            svmIsn[id] = info.tcpSeq;
            known[id] |= 1;
            if (tsAt >= 0) {
                svmTsval[id] = tsVal;
                known[id] |= 8;
            }
            learn(id);
        }
        trackClose(id, flags, true, nowNanos);
        int off = offsetOf(id);
        int ts = tsOffsetOf(id);
        if (!forwarding || off == 0 && (ts == 0 || tsAt < 0)) {
            return Verdict.UNCHANGED;
        }
        int tcp = options - TCP_OPTIONS;
        if (off != 0) {
            TcpFieldEditor.add(frame, tcp + TCP_SEQ, -off, tcp + TCP_CHECKSUM);
        }
        if (ts != 0 && tsAt >= 0) {
            TcpFieldEditor.add(frame, tsAt, -ts, tcp + TCP_CHECKSUM);
        }
        stats.rewrittenFromSecondary++;
        return Verdict.REWRITTEN;
    }

    /** From now on the SVM's output goes to clients (failover): its seq and TSval are rewritten too. Any thread. */
    public void startForwarding() {
        forwarding = true;
    }

    /** The SVM now carries the PVM's exact state: every offset is zero from here on. */
    public void checkpointCommitted() {
        generation++;
    }

    public RewriterStats stats() {
        return stats;
    }

    public int connections() {
        return table.size();
    }

    /** Decodes the frame into {@link #info}; a verdict when it is not a TCP segment to look at. */
    private Verdict decode(ByteBuffer frame) {
        int len = frame.remaining();
        if (len > SCRATCH) {
            stats.malformed++;
            return Verdict.MALFORMED;
        }
        frame.get(frame.position(), scratch, 0, len);
        decoder.decode(FrameDecoder.LINKTYPE_ETHERNET, scratch, 0, len, info);
        if (info.kind == FrameKind.MALFORMED) {
            stats.malformed++;
            return Verdict.MALFORMED;
        }
        if (!info.isTcp() || info.tcpOptionsOffset < TCP_OPTIONS) {
            return Verdict.NOT_TCP;
        }
        return null;
    }

    /** Finds the frame's entry; a SYN creates one (a fresh one if an old entry was closing). NONE: untracked. */
    private int connection(boolean fromVm, long now) {
        expireOne(now);
        int id = table.find(info);
        boolean syn = (info.tcpFlags & SYN) != 0;
        if (id != ConnectionTable.NONE && syn && closingSince[id] != 0) {
            remove(id);
            id = ConnectionTable.NONE;
        }
        if (id == ConnectionTable.NONE) {
            if (!syn) {
                stats.untracked++;
                return ConnectionTable.NONE;
            }
            id = table.insert(info, now);
            if (id == ConnectionTable.NONE) {
                remove(table.leastRecent());
                stats.evicted++;
                id = table.insert(info, now);
            }
            vmDirection[id] = fromVm ? info.keyDirection : 1 - info.keyDirection;
            known[id] = 0;
            offset[id] = 0;
            fins[id] = 0;
            closingSince[id] = 0;
            generationOf[id] = generation;
            return id;
        }
        table.touch(id, now);
        return id;
    }

    private void learn(int id) {
        if ((known[id] & 24) == 24 && (known[id] & 32) == 0) {
            tsOffset[id] = svmTsval[id] - pvmTsval[id];
            known[id] |= 32;
        }
        if ((known[id] & 3) == 3 && (known[id] & 4) == 0) {
            offset[id] = svmIsn[id] - pvmIsn[id];
            known[id] |= 4;
            stats.learnedOffsets++;
            if (offset[id] != 0) {
                stats.nonZeroOffsets++;
            }
        }
    }

    /** The offset to apply now: zero once a checkpoint committed after the entry was made. */
    private int offsetOf(int id) {
        if (generationOf[id] != generation) {
            generationOf[id] = generation;
            offset[id] = 0;
            tsOffset[id] = 0;
            known[id] = 63;
        }
        if ((known[id] & 4) == 0) {
            stats.passedUnknownOffset++;
            return 0;
        }
        return offset[id];
    }

    /** The timestamp offset to apply now (0 until learned; 0 after a commit: offsetOf runs first). */
    private int tsOffsetOf(int id) {
        return (known[id] & 32) != 0 ? tsOffset[id] : 0;
    }

    /** Finds the timestamp option; sets tsAt (the TSval's position, -1 if none), tsVal and tsEcr. */
    private void findTimestamps(ByteBuffer frame, int options, int length) {
        int at = findOption(frame, options, length, TIMESTAMPS);
        tsAt = -1;
        if (at >= 0 && (frame.get(at + 1) & 0xff) == 10) {
            tsAt = at + 2;
            tsVal = frame.getInt(tsAt);
            tsEcr = frame.getInt(tsAt + 4);
        }
    }

    /**
     * The position of the first option of {@code kind} within [options, options + length), or -1. The
     * walk stops at the end-of-list option or at a length that is impossible (garbage options).
     */
    private static int findOption(ByteBuffer frame, int options, int length, int kind) {
        int i = 0;
        while (i < length) {
            int k = frame.get(options + i) & 0xff;
            if (k == 0) {
                return -1;
            }
            if (k == 1) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return -1;
            }
            int len = frame.get(options + i + 1) & 0xff;
            if (len < 2 || i + len > length) {
                return -1;
            }
            if (k == kind) {
                return options + i;
            }
            i += len;
        }
        return -1;
    }

    private void trackClose(int id, int flags, boolean fromVm, long now) {
        if ((flags & RST) != 0) {
            fins[id] |= 4;
        } else if ((flags & FIN) != 0) {
            fins[id] |= fromVm ? 1 : 2;
        }
        if (closingSince[id] == 0 && ((fins[id] & 4) != 0 || (fins[id] & 3) == 3)) {
            closingSince[id] = now;
        }
    }

    /** Drops at most one entry per frame from the old end: closed past its grace, or idle too long. */
    private void expireOne(long now) {
        int id = table.leastRecent();
        if (id == ConnectionTable.NONE) {
            return;
        }
        boolean closed = closingSince[id] != 0 && now - closingSince[id] > config.closedGraceNanos();
        if (closed || now - table.lastSeen(id) > config.idleTimeoutNanos()) {
            remove(id);
            stats.expired++;
        }
    }

    private void remove(int id) {
        table.remove(id);
    }

    /** SACK blocks toward the SVM acknowledge its bytes: both edges move by the offset. */
    private void rewriteSack(ByteBuffer frame, int options, int length, int off, int checksum) {
        int at = findOption(frame, options, length, SACK);
        if (at < 0) {
            return;
        }
        int len = frame.get(at + 1) & 0xff;
        if ((len - 2) % 8 != 0) {
            return;
        }
        for (int b = 2; b < len; b += 4) {
            TcpFieldEditor.add(frame, at + b, off, checksum);
        }
        stats.sackBlocksRewritten += (len - 2) / 8;
    }
}
