package dev.colo.compare;

import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;

import dev.colo.compare.rules.IgnoreRule;
import dev.colo.compare.rules.RuleSet;
import dev.colo.compare.store.FrameStore;
import java.util.Arrays;

/**
 * Compares UDP, ICMP, ARP, other IP and non-IP output frame by frame in each flow's order: the n-th
 * primary frame of a flow with the n-th secondary frame. Only the comparable region (the L4 payload,
 * or for ICMP type, code and everything after the checksum) and the tag count, so IP ID, TTL, hop
 * limit, flow label and checksums may differ.
 */
final class DatagramComparator {
    private final Streams streams;
    private final FrameStore store;
    /** The rules are read at each use: they may change at run time (on this thread). */
    private final CompareConfig config;
    private final OutputComparator out;

    DatagramComparator(Streams streams, CompareConfig config, OutputComparator out) {
        this.streams = streams;
        this.store = streams.store;
        this.config = config;
        this.out = out;
    }

    void onFrame(int stream, int side, int slot) {
        streams.append(stream, side, slot);
        advance(stream);
    }

    void advance(int stream) {
        if ((streams.flags[stream] & Streams.DIVERGED) != 0) {
            return;
        }
        int pi = Streams.idx(stream, P);
        int si = Streams.idx(stream, S);
        while (streams.head[pi] != FrameStore.NONE && streams.head[si] != FrameStore.NONE) {
            int p = streams.head[pi];
            int s = streams.head[si];
            if (!equalExcused(stream, p, s)) {
                return;
            }
            streams.unlink(stream, P, p);
            out.releaseCompared(p);
            streams.unlink(stream, S, s);
            out.consumeSecondary(s);
        }
    }

    private boolean equalExcused(int stream, int p, int s) {
        byte[] pa = store.array(p);
        byte[] sa = store.array(s);
        int pStart = store.base(p) + store.dataOffset(p);
        int sStart = store.base(s) + store.dataOffset(s);
        int pEnd = pStart + store.dataLength(p);
        int sEnd = sStart + store.dataLength(s);
        if (store.tag(p) != store.tag(s)) {
            out.datagramMismatch(stream, p, -1, s, -1, "header differs (type/code)");
            return false;
        }
        RuleSet rules = config.rules();
        int pAt = pStart;
        int sAt = sStart;
        while (true) {
            int m = Arrays.mismatch(pa, pAt, pEnd, sa, sAt, sEnd);
            if (m < 0) {
                return true;
            }
            IgnoreRule rule = rules.excuse(pa, pStart, pAt + m, pEnd, sa, sStart, sAt + m, sEnd, true);
            if (rule == null) {
                boolean shorter = pAt + m == pEnd || sAt + m == sEnd;
                out.datagramMismatch(stream, p, pAt + m, s, sAt + m, shorter ? "length differs" : "payload differs");
                return false;
            }
            out.ruleFired(rule, stream);
            pAt = rules.primaryLineEnd();
            sAt = rules.secondaryLineEnd();
        }
    }

    /** Marks how many secondary frames a flush drops: all when restored, else as many as the primary had held. */
    int staleQuota(int stream, CheckpointModel model) {
        streams.flags[stream] &= ~(Streams.DIVERGED | Streams.QUEUE_FULL_REPORTED);
        int s = streams.count[Streams.idx(stream, S)];
        return model == CheckpointModel.SECONDARY_RESTORED ? s : Math.min(s, streams.count[Streams.idx(stream, P)]);
    }
}
