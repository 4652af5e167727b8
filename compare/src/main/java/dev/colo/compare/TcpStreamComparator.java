package dev.colo.compare;

import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;

import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.packet.TcpFlyweight;
import dev.colo.compare.rules.IgnoreRule;
import dev.colo.compare.rules.RuleSet;
import dev.colo.compare.store.FrameStore;
import java.util.Arrays;

/**
 * Compares the two replicas' TCP output as byte streams, by position relative to each side's initial
 * sequence number, so different segmentation and different ISNs still match. SYN and FIN are
 * compared as one-position events in the stream; RST as an event of the connection. A primary
 * segment is released once every position it covers has compared equal and the secondary has
 * acknowledged at least as much as the segment does (so a failover never forgets data a client was
 * told had arrived). ACK numbers compare relative to the peer's ISN as each side acknowledged it,
 * so replicas whose clients picked different ISNs still match. Retransmissions of compared data pass
 * at once, but never overtake earlier held segments: release follows the primary's order.
 */
final class TcpStreamComparator {
    private static final int SYN = 0;
    private static final int DATA = 1;
    private static final int FIN = 2;

    private final Streams streams;
    private final FrameStore store;
    /** TCP options of a bare ACK that may be thinned: none, or timestamps (NOP NOP TS); SACK blocks make it longer. */
    private static final int MAX_THINNABLE_OPTIONS = 12;
    private static final int SACK_OPTION = 5;

    /** Rules and the thin-ACK threshold are read at each use: both may change at run time (on this thread). */
    private final CompareConfig config;
    private final OutputComparator out;

    TcpStreamComparator(Streams streams, CompareConfig config, OutputComparator out) {
        this.streams = streams;
        this.store = streams.store;
        this.config = config;
        this.out = out;
    }

    void onFrame(int stream, int side, int slot, FrameInfo info) {
        int i = Streams.idx(stream, side);
        int tcpFlags = info.tcpFlags;
        boolean syn = (tcpFlags & TcpFlyweight.SYN) != 0;
        int knownBit = side == P ? Streams.BASE_KNOWN_P : Streams.BASE_KNOWN_S;
        if ((streams.flags[stream] & knownBit) == 0) {
            streams.base[i] = info.tcpSeq;
            streams.flags[stream] |= knownBit | (syn ? (side == P ? Streams.SYN_BASE_P : Streams.SYN_BASE_S) : 0);
        }
        long around = streams.cursor[i];
        long relStart = around + (info.tcpSeq - streams.base[i] - (int) around);
        int dataLength = store.dataLength(slot);
        int seqLength = dataLength + (syn ? 1 : 0) + ((tcpFlags & TcpFlyweight.FIN) != 0 ? 1 : 0);
        store.setTcp(slot, relStart, seqLength, tcpFlags, info.tcpAck,
                info.tcpOptionsOffset - info.compareOffset + store.dataOffset(slot), info.tcpOptionsLength);
        if (relStart + seqLength > streams.end[i]) {
            streams.end[i] = relStart + seqLength;
        }
        boolean ack = (tcpFlags & TcpFlyweight.ACK) != 0;
        if (ack) {
            learnAckBase(stream, side, info.tcpAck);
        }
        if (side == P) {
            if (ack) {
                noteAck(stream, Streams.PVM_ACK_KNOWN, streams.pvmAck, info.tcpAck);
            }
            if (supersedesTail(stream, slot)) {
                return;
            }
            streams.append(stream, P, slot);
        } else {
            if (ack) {
                noteAck(stream, Streams.SVM_ACK_KNOWN, streams.svmAck, info.tcpAck);
            }
            if ((tcpFlags & TcpFlyweight.RST) != 0) {
                streams.flags[stream] |= Streams.RST_S;
            }
            streams.append(stream, S, slot);
            if (seqLength == 0 || relStart + seqLength <= streams.cursor[i]) {
                // A bare ACK or RST carries nothing to compare; an old retransmission was compared already.
                streams.unlink(stream, S, slot);
                out.consumeSecondary(slot);
            }
        }
        advance(stream);
    }

    /**
     * With many primary frames held, a new bare ACK that acknowledges more than the bare ACK held at the tail
     * takes its place (cumulative: it says all the older one said). The client gets fewer ACKs while the
     * secondary lags, never one for data the secondary has not acknowledged: the merged frame now waits for
     * the newer number. Duplicate ACKs (fast retransmit) and SACK-bearing ones are never merged, and
     * the frames ahead of the tail keep their own numbers, so ACKs keep flowing as the secondary catches up.
     */
    private boolean supersedesTail(int stream, int slot) {
        int pi = Streams.idx(stream, P);
        int tail = streams.tail[pi];
        int thinAcksAfter = config.thinAcksAfter();
        if (thinAcksAfter == 0 || streams.count[pi] < thinAcksAfter || tail == FrameStore.NONE
                || !isBareAck(tail) || !isBareAck(slot) || store.ack(slot) - store.ack(tail) <= 0
                || store.relStart(slot) != store.relStart(tail)) {
            return false;
        }
        int before = store.length(tail);
        if (!store.overwrite(tail, slot)) {
            return false;
        }
        streams.bytes[pi] += store.length(tail) - before;
        out.supersededAck(slot);
        return true;
    }

    private boolean isBareAck(int slot) {
        return store.relLength(slot) == 0 && store.flags(slot) == TcpFlyweight.ACK && store.optionsLength(slot) <= MAX_THINNABLE_OPTIONS
                && !hasSack(slot);
    }

    /** Whether the frame's TCP options carry SACK blocks (kind 5): those report losses and are never merged. */
    private boolean hasSack(int slot) {
        byte[] a = store.array(slot);
        int at = store.base(slot) + store.optionsOffset(slot);
        int end = at + store.optionsLength(slot);
        while (at < end) {
            int kind = a[at] & 0xff;
            if (kind == 0) {
                return false;
            }
            if (kind == 1) {
                at++;
                continue;
            }
            if (kind == SACK_OPTION) {
                return true;
            }
            int len = at + 1 < end ? a[at + 1] & 0xff : 0;
            if (len < 2) {
                return true; // malformed: keep it as it is
            }
            at += len;
        }
        return false;
    }

    /**
     * A side seen from its SYN learns the peer's ISN from its first ACK: a SYN-ACK, or the ACK after the
     * VM's own SYN, acknowledges the peer's SYN (ISN + 1). Seen mid-stream: never, acks stay absolute.
     */
    private void learnAckBase(int stream, int side, int ack) {
        int synBit = side == P ? Streams.SYN_BASE_P : Streams.SYN_BASE_S;
        int ackBit = side == P ? Streams.ACK_BASE_P : Streams.ACK_BASE_S;
        if ((streams.flags[stream] & (synBit | ackBit)) == synBit) {
            streams.ackBase[Streams.idx(stream, side)] = ack - 1;
            streams.flags[stream] |= ackBit;
        }
    }

    /** The secondary's ack minus the primary's, relative to their ack bases when both are known (wraps as TCP does). */
    private int ackLead(int stream, int svmAck, int pvmAck) {
        int both = Streams.ACK_BASE_P | Streams.ACK_BASE_S;
        if ((streams.flags[stream] & both) != both) {
            return svmAck - pvmAck;
        }
        return (svmAck - streams.ackBase[Streams.idx(stream, S)]) - (pvmAck - streams.ackBase[Streams.idx(stream, P)]);
    }

    /** One side's acks against each other: the base cancels, so absolute numbers are enough. */
    private void noteAck(int stream, int knownBit, int[] acks, int value) {
        if ((streams.flags[stream] & knownBit) == 0 || value - acks[stream] > 0) {
            acks[stream] = value;
            streams.flags[stream] |= knownBit;
        }
    }

    /** Compares as far as both sides have bytes, then releases and consumes what was matched. */
    void advance(int stream) {
        if ((streams.flags[stream] & Streams.DIVERGED) == 0) {
            compare(stream);
        }
        releasePrimary(stream);
        consumeSecondary(stream);
    }

    private void compare(int stream) {
        int pi = Streams.idx(stream, P);
        int si = Streams.idx(stream, S);
        RuleSet rules = config.rules();
        while (true) {
            long pc = streams.cursor[pi];
            long sc = streams.cursor[si];
            int pf = covering(pi, pc);
            int sf = covering(si, sc);
            if (pf == FrameStore.NONE || sf == FrameStore.NONE) {
                return;
            }
            int pk = kindAt(pf, pc);
            int sk = kindAt(sf, sc);
            if (!rules.ignoreTcpOptions() && pc == store.relStart(pf) && sc == store.relStart(sf) && !sameOptions(pf, sf)) {
                out.streamMismatch(stream, pf, -1, sf, -1, pc, "TCP options differ");
                return;
            }
            if (pk != sk) {
                out.streamMismatch(stream, pf, -1, sf, -1, pc,
                        "stream event differs: primary " + name(pk) + ", secondary " + name(sk));
                return;
            }
            if (pk != DATA) {
                streams.cursor[pi] = pc + 1;
                streams.cursor[si] = sc + 1;
                continue;
            }
            long pDataRel = dataRelStart(pf);
            long sDataRel = dataRelStart(sf);
            byte[] pa = store.array(pf);
            byte[] sa = store.array(sf);
            int pData = store.base(pf) + store.dataOffset(pf);
            int sData = store.base(sf) + store.dataOffset(sf);
            int pAt = pData + (int) (pc - pDataRel);
            int sAt = sData + (int) (sc - sDataRel);
            int pEnd = pData + store.dataLength(pf);
            int sEnd = sData + store.dataLength(sf);
            int n = Math.min(pEnd - pAt, sEnd - sAt);
            int m = Arrays.mismatch(pa, pAt, pAt + n, sa, sAt, sAt + n);
            if (m < 0) {
                streams.cursor[pi] = pc + n;
                streams.cursor[si] = sc + n;
                continue;
            }
            boolean lineStart = pDataRel == 1 && sDataRel == 1;
            IgnoreRule rule = rules.excuse(pa, pData, pAt + m, pEnd, sa, sData, sAt + m, sEnd, lineStart);
            if (rule != null) {
                streams.cursor[pi] = pc + (rules.primaryLineEnd() - pAt);
                streams.cursor[si] = sc + (rules.secondaryLineEnd() - sAt);
                out.ruleFired(rule, stream);
                continue;
            }
            out.streamMismatch(stream, pf, pAt + m, sf, sAt + m, pc + m, "payload differs");
            return;
        }
    }

    private boolean sameOptions(int pf, int sf) {
        int pl = store.optionsLength(pf);
        int pOff = store.base(pf) + store.optionsOffset(pf);
        int sOff = store.base(sf) + store.optionsOffset(sf);
        return pl == store.optionsLength(sf)
                && Arrays.equals(store.array(pf), pOff, pOff + pl, store.array(sf), sOff, sOff + store.optionsLength(sf));
    }

    private static String name(int kind) {
        return kind == SYN ? "SYN" : kind == FIN ? "FIN" : "data";
    }

    private long dataRelStart(int slot) {
        return store.relStart(slot) + ((store.flags(slot) & TcpFlyweight.SYN) != 0 ? 1 : 0);
    }

    private int kindAt(int slot, long pos) {
        if ((store.flags(slot) & TcpFlyweight.SYN) != 0 && pos == store.relStart(slot)) {
            return SYN;
        }
        return pos < dataRelStart(slot) + store.dataLength(slot) ? DATA : FIN;
    }

    /** The held frame of this stream side that covers position {@code pos}, trying the last hit first. */
    private int covering(int i, long pos) {
        int h = streams.hint[i];
        if (h != FrameStore.NONE && covers(h, pos)) {
            return h;
        }
        if (h != FrameStore.NONE) {
            int n = store.next(h);
            if (n != FrameStore.NONE && covers(n, pos)) {
                streams.hint[i] = n;
                return n;
            }
        }
        for (int f = streams.head[i]; f != FrameStore.NONE; f = store.next(f)) {
            if (covers(f, pos)) {
                streams.hint[i] = f;
                return f;
            }
        }
        return FrameStore.NONE;
    }

    private boolean covers(int slot, long pos) {
        return store.relStart(slot) <= pos && pos < store.relEnd(slot);
    }

    private void releasePrimary(int stream) {
        int pi = Streams.idx(stream, P);
        long pc = streams.cursor[pi];
        for (int f = streams.head[pi]; f != FrameStore.NONE; f = streams.head[pi]) {
            if (!releasable(stream, f, pc)) {
                return;
            }
            streams.unlink(stream, P, f);
            out.releaseCompared(f);
        }
    }

    private boolean releasable(int stream, int f, long cursor) {
        int fl = store.flags(f);
        int sf = streams.flags[stream];
        if (store.relLength(f) == 0 ? store.relStart(f) > cursor : store.relEnd(f) > cursor) {
            return false;
        }
        if ((fl & TcpFlyweight.RST) != 0 && (sf & Streams.RST_S) == 0) {
            return false;
        }
        return (fl & TcpFlyweight.ACK) == 0
                || ((sf & Streams.SVM_ACK_KNOWN) != 0 && ackLead(stream, streams.svmAck[stream], store.ack(f)) >= 0);
    }

    private void consumeSecondary(int stream) {
        int si = Streams.idx(stream, S);
        long sc = streams.cursor[si];
        for (int f = streams.head[si]; f != FrameStore.NONE && store.relEnd(f) <= sc; f = streams.head[si]) {
            streams.unlink(stream, S, f);
            out.consumeSecondary(f);
        }
    }

    /** Re-aligns the stream after a committed checkpoint; returns nothing held is touched here. */
    void realign(int stream, CheckpointModel model) {
        int pi = Streams.idx(stream, P);
        int si = Streams.idx(stream, S);
        long newPrimary = Math.max(streams.cursor[pi], streams.end[pi]);
        if (model == CheckpointModel.SECONDARY_RESTORED) {
            // The secondary now continues the primary's stream with the primary's numbers.
            int f = streams.flags[stream];
            streams.base[si] = streams.base[pi];
            streams.ackBase[si] = streams.ackBase[pi];
            f = (f & ~(Streams.BASE_KNOWN_S | Streams.SYN_BASE_S | Streams.SVM_ACK_KNOWN | Streams.ACK_BASE_S))
                    | ((f & Streams.BASE_KNOWN_P) != 0 ? Streams.BASE_KNOWN_S : 0)
                    | ((f & Streams.SYN_BASE_P) != 0 ? Streams.SYN_BASE_S : 0)
                    | ((f & Streams.PVM_ACK_KNOWN) != 0 ? Streams.SVM_ACK_KNOWN : 0)
                    | ((f & Streams.ACK_BASE_P) != 0 ? Streams.ACK_BASE_S : 0);
            streams.flags[stream] = f;
            streams.svmAck[stream] = streams.pvmAck[stream];
            streams.cursor[si] = newPrimary;
            streams.end[si] = newPrimary;
        } else {
            streams.cursor[si] += newPrimary - streams.cursor[pi];
        }
        streams.cursor[pi] = newPrimary;
        streams.flags[stream] &= ~(Streams.DIVERGED | Streams.QUEUE_FULL_REPORTED);
    }

    /** Whether a held secondary frame is stale after {@link #realign}. */
    boolean staleAfterRealign(int stream, int slot, CheckpointModel model) {
        return model == CheckpointModel.SECONDARY_RESTORED
                || store.relEnd(slot) <= streams.cursor[Streams.idx(stream, S)];
    }

    /** Payload offset of a stream position: the SYN takes position 0 when the stream was seen from its start. */
    long payloadOffset(int stream, long pos) {
        return (streams.flags[stream] & Streams.SYN_BASE_P) != 0 ? pos - 1 : pos;
    }
}
