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
    private final byte[] known; // bit 0: SVM ISN, bit 1: PVM ISN, bit 2: offset
    private final int[] offset;
    private final long[] generationOf;
    private final byte[] fins;  // bit 0: FIN from the VM, bit 1: FIN from the peer, bit 2: RST
    private final long[] closingSince;
    private long generation;

    public TcpRewriter(RewriterConfig config) {
        this.config = config;
        int n = config.maxConnections();
        this.table = new ConnectionTable(n);
        vmDirection = new int[n];
        svmIsn = new int[n];
        pvmIsn = new int[n];
        known = new byte[n];
        offset = new int[n];
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
        if ((flags & ACK) != 0 && (known[id] & 2) == 0) {
            pvmIsn[id] = info.tcpAck - 1;
            known[id] |= 2;
            learn(id);
        }
        trackClose(id, flags, false, nowNanos);
        int off = offsetOf(id);
        if (off == 0) {
            return Verdict.UNCHANGED;
        }
        int tcp = frame.position() + info.tcpOptionsOffset - TCP_OPTIONS;
        int checksum = tcp + TCP_CHECKSUM;
        if ((flags & ACK) != 0) {
            TcpFieldEditor.add(frame, tcp + TCP_ACK, off, checksum);
        }
        rewriteSack(frame, frame.position() + info.tcpOptionsOffset, info.tcpOptionsLength, off, checksum);
        stats.rewrittenTowardSecondary++;
        return Verdict.REWRITTEN;
    }

    /** A frame the SVM sent: seq -= offset. In place. */
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
        if ((flags & SYN) != 0) {
            svmIsn[id] = info.tcpSeq;
            known[id] |= 1;
            learn(id);
        }
        trackClose(id, flags, true, nowNanos);
        int off = offsetOf(id);
        if (off == 0) {
            return Verdict.UNCHANGED;
        }
        int tcp = frame.position() + info.tcpOptionsOffset - TCP_OPTIONS;
        TcpFieldEditor.add(frame, tcp + TCP_SEQ, -off, tcp + TCP_CHECKSUM);
        stats.rewrittenFromSecondary++;
        return Verdict.REWRITTEN;
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
            known[id] = 7;
        }
        if ((known[id] & 4) == 0) {
            stats.passedUnknownOffset++;
            return 0;
        }
        return offset[id];
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

    /** SACK blocks toward the SVM acknowledge its bytes: both edges move by the offset. Garbage options stop the walk. */
    private void rewriteSack(ByteBuffer frame, int options, int length, int off, int checksum) {
        int i = 0;
        while (i < length) {
            int kind = frame.get(options + i) & 0xff;
            if (kind == 0) {
                return;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return;
            }
            int len = frame.get(options + i + 1) & 0xff;
            if (len < 2 || i + len > length) {
                return;
            }
            if (kind == SACK && (len - 2) % 8 == 0) {
                for (int b = i + 2; b < i + len; b += 4) {
                    TcpFieldEditor.add(frame, options + b, off, checksum);
                }
                stats.sackBlocksRewritten += (len - 2) / 8;
            }
            i += len;
        }
    }
}
