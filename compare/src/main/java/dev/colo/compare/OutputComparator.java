package dev.colo.compare;

import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;

import dev.colo.compare.flow.ConnectionTable;
import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.packet.FrameKind;
import dev.colo.compare.rules.IgnoreRule;
import dev.colo.compare.store.FrameStore;

/**
 * The comparator: takes the primary's and the secondary's output frames, holds the primary's until
 * their twins compare equal, releases them, and asks for a checkpoint on a mismatch, a timeout or an
 * overflow. After a commit it flushes: held primary frames are released in arrival order, stale
 * secondary frames dropped.
 *
 * <p>Single-threaded and allocation-free per frame: call it from one thread (the pipeline's compare
 * stage). Time is whatever the caller says it is (capture timestamps in replay, a monotonic clock
 * live), so a replay is deterministic and its timeouts fire exactly as they would have live.
 *
 * <p>Output commit: a primary frame leaves only through {@link #releaseCompared} (every position
 * compared equal and acknowledged by the secondary), through a flush after a committed checkpoint,
 * or while running unprotected after the secondary was lost.
 */
public final class OutputComparator {
    private final CompareConfig config;
    private final CheckpointGate gate;
    private final DecisionListener listener;
    private final CompareStats stats = new CompareStats();
    private final HoldTimeHistogram holdTimes = new HoldTimeHistogram();
    private final ConnectionTable connections;
    private final FrameStore store;
    private final Streams streams;
    private final TcpStreamComparator tcp;
    private final DatagramComparator datagrams;
    private final int overflowStream;
    private final boolean[] seenBySide; // [connection * 2 + side]
    private final int[] flushQuota;
    private final RetainingListener retaining;

    private Divergence cause = new Divergence();
    private Divergence scratch = new Divergence();

    private boolean clockStarted;
    private long clock;
    private long gridOrigin;
    private long lastIdleScan;
    private long lastCommit = Long.MIN_VALUE / 2;
    private long lastSeenGeneration;
    private long pendingGeneration = -1;
    private long deferredUntil = -1;
    private boolean unprotected;
    private boolean storeFullReported;
    private final int smallQuota;
    private final int largeQuota;
    private boolean releasingFromFlush;
    private int heldBeforeDrain = -1;
    /** The slot whose timeout fired last in the current advance of the clock (NONE: none yet). */
    private int timedOutThisAdvance = FrameStore.NONE;
    private long clockFirings;
    private long repeatsCollapsed;

    public OutputComparator(CompareConfig config, CheckpointGate gate, DecisionListener listener) {
        this.config = config.validate();
        this.gate = gate;
        this.listener = listener;
        this.connections = new ConnectionTable(config.maxConnections());
        this.store = new FrameStore(config.smallSlots(), config.smallSlotSize(), config.largeSlots(), config.largeSlotSize());
        this.overflowStream = config.maxConnections() * 2;
        this.streams = new Streams(overflowStream + 1, store);
        this.tcp = new TcpStreamComparator(streams, config, this);
        this.datagrams = new DatagramComparator(streams, config, this);
        this.seenBySide = new boolean[config.maxConnections() * 2];
        this.flushQuota = new int[overflowStream + 1];
        this.lastSeenGeneration = gate.committedGeneration();
        this.smallQuota = Math.max(1, config.smallSlots() / 2 - config.admissionMargin());
        this.largeQuota = Math.max(1, config.largeSlots() / 2 - config.admissionMargin());
        this.retaining = listener instanceof RetainingListener r ? r : null;
        if (retaining != null) {
            store.reclaimWhenConsumed(retaining::consumedSequence);
        }
    }

    public CompareStats stats() {
        return stats;
    }

    public HoldTimeHistogram holdTimes() {
        return holdTimes;
    }

    public CompareConfig config() {
        return config;
    }

    /** Frames held now (both sides). */
    public int heldFrames() {
        return store.inUse();
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Frames that were still waiting for their twins when {@link #drain()} began; -1 before. */
    public int heldBeforeDrain() {
        return heldBeforeDrain;
    }

    public boolean checkpointPending() {
        return pendingGeneration >= 0 || deferredUntil >= 0;
    }

    public boolean isUnprotected() {
        return unprotected;
    }

    public long clockNanos() {
        return clock;
    }

    /**
     * Deadlines fired so far (timeouts and deferred checkpoints): the clock's work, which grows with the events
     * that fell due, never with the span of time a jump covers.
     */
    public long clockFirings() {
        return clockFirings;
    }

    /**
     * Timeouts not fired again within one advance of the clock because the same frame was still the oldest after
     * the checkpoint its first timeout asked for: each repeat would have asked for the same checkpoint and flushed
     * the same nothing (a jump of a day once cost one such round per minimum checkpoint interval).
     */
    public long repeatsCollapsed() {
        return repeatsCollapsed;
    }

    /**
     * One output frame of one replica.
     *
     * @param side {@link Side#P} or {@link Side#S}
     * @param info the frame decoded by {@link dev.colo.compare.packet.FrameDecoder} from the same bytes
     */
    public void onFrame(int side, long timestampNanos, byte[] frame, int offset, int length, FrameInfo info) {
        advanceTime(timestampNanos);
        stats.increment(side == P ? CompareStats.FRAMES_PRIMARY : CompareStats.FRAMES_SECONDARY);
        stats.add(side == P ? CompareStats.BYTES_PRIMARY : CompareStats.BYTES_SECONDARY, length);
        if (info.kind == FrameKind.MALFORMED) {
            stats.countMalformed(info.malformation);
        }
        if (unprotected) {
            passUnprotected(side, frame, offset, length, timestampNanos);
            return;
        }
        int stream = streamFor(info, side);
        // Compared in place first: a frame whose twin is already here is never copied into the store.
        int slot = store.borrow(frame, offset, length, timestampNanos, stream, side);
        store.setCompared(slot, info.compareOffset - offset, info.compareLength, info.compareTag);
        dispatch(stream, side, slot, info);
        if (store.stream(slot) != FrameStore.NONE) {
            keep(slot);
        }
        checkQueueLimits(stream, side);
        checkStoreFull(stream, side);
        pollCommit();
    }

    private void dispatch(int stream, int side, int slot, FrameInfo info) {
        byte kind = streams.kind[stream];
        if (kind == Streams.OVERFLOW) {
            if (side == P) {
                streams.append(stream, P, slot);
            } else {
                consumeSecondary(slot); // nothing to compare it with; its twin is released by the flush
            }
            fillFlowOnly(CheckpointReason.TABLE_FULL, stream, side, "connection table full (" + config.maxConnections() + ")");
            trigger();
        } else if (kind == Streams.TCP) {
            tcp.onFrame(stream, side, slot, info);
        } else {
            datagrams.onFrame(stream, side, slot);
        }
    }

    /** Advances the clock with no frame (live: a timer tick), firing timeouts and deferred checkpoints that fell due. */
    public void onTick(long nowNanos) {
        config.applyLiveChanges(); // run-time changes, on this thread (a poll of an empty queue when there are none)
        advanceTime(nowNanos);
    }

    /** Polls the gate; call after anything that may have committed a checkpoint. */
    public void pollCommit() {
        long g = gate.committedGeneration();
        if (pendingGeneration >= 0 && g >= pendingGeneration) {
            pendingGeneration = -1;
        }
        if (g > lastSeenGeneration) {
            lastSeenGeneration = g;
            flush();
        }
    }

    /** The secondary is gone: release everything held and pass the primary's output from now on. */
    public void enterUnprotected() {
        if (!unprotected) {
            flush();
            unprotected = true;
            pendingGeneration = -1;
            deferredUntil = -1;
        }
    }

    /** A secondary joined after a full sync: compare again, starting from a clean slate. */
    public void resumeProtection() {
        flush();
        for (int c = connections.leastRecent(); c != ConnectionTable.NONE; c = connections.leastRecent()) {
            forget(c);
        }
        unprotected = false;
        lastSeenGeneration = gate.committedGeneration();
    }

    /**
     * Input has ended (replay): let time run on past every deadline so that all held output resolves. The primary's
     * held frames are released by the checkpoints their timeouts ask for. A secondary frame still held after that
     * (one the flush kept because the secondary ran ahead on its stream, e.g. a flow the primary's capture lacks) has
     * no twin to wait for: dropped and counted {@link CompareStats#SECONDARY_DRAINED}.
     */
    public void drain() {
        heldBeforeDrain = store.inUse();
        long horizon = clock + config.compareTimeoutNanos() + 2 * config.scanIntervalNanos()
                + config.minCheckpointIntervalNanos();
        for (int round = 0; round < 4 && store.inUse() > 0; round++) {
            advanceTime(horizon);
            horizon += config.compareTimeoutNanos() + 2 * config.scanIntervalNanos() + config.minCheckpointIntervalNanos();
        }
        for (int slot = store.oldest(); slot != FrameStore.NONE; ) {
            int next = store.younger(slot);
            if (store.side(slot) == S) {
                streams.unlink(store.stream(slot), S, slot);
                store.free(slot);
                stats.increment(CompareStats.SECONDARY_DRAINED);
            }
            slot = next;
        }
    }

    // ---------------------------------------------------------------- streams and holding

    private int streamFor(FrameInfo info, int side) {
        int conn = connections.find(info);
        if (conn == ConnectionTable.NONE) {
            conn = connections.insert(info, clock);
            if (conn == ConnectionTable.NONE && evictLeastRecentIdle()) {
                conn = connections.insert(info, clock);
            }
            if (conn == ConnectionTable.NONE) {
                streams.kind[overflowStream] = Streams.OVERFLOW;
                return overflowStream;
            }
            int first = conn * 2;
            streams.reset(first);
            streams.reset(first + 1);
            byte kind = info.kind == FrameKind.TCP ? Streams.TCP : Streams.DATAGRAM;
            streams.kind[first] = kind;
            streams.kind[first + 1] = kind;
            seenBySide[conn * 2] = false;
            seenBySide[conn * 2 + 1] = false;
        } else {
            connections.touch(conn, clock);
        }
        if (!seenBySide[conn * 2 + side]) {
            seenBySide[conn * 2 + side] = true;
            stats.increment(side == P ? CompareStats.CONNECTIONS_PRIMARY : CompareStats.CONNECTIONS_SECONDARY);
        }
        return conn * 2 + connections.lastDirection();
    }

    /**
     * The borrowed frame must wait: copy it into a slot of its own. A caller that admits frames only while
     * {@link #canAccept} says so always finds one. Otherwise (a caller that cannot stop its source, a frame
     * larger than any slot) the comparator asks for a checkpoint, whose flush covers the frame if it commits
     * now; failing that the frame cannot be held and is counted {@link CompareStats#LOST}, never released.
     */
    private void keep(int borrowed) {
        int stream = store.stream(borrowed);
        int side = store.side(borrowed);
        int slot = store.keep();
        if (slot == FrameStore.NONE && store.retired() > 0) {
            slot = awaitRetired();
        }
        if (slot != FrameStore.NONE) {
            streams.replace(stream, side, borrowed, slot);
            return;
        }
        int length = store.length(borrowed);
        boolean oversize = length > store.maxFrameLength();
        if (oversize || !storeFullReported) {
            storeFullReported |= !oversize;
            CheckpointReason reason = oversize ? CheckpointReason.OVERSIZE_FRAME : CheckpointReason.STORE_FULL;
            scratch.reset(reason, Side.values()[side], describe(stream), clock);
            scratch.detail = oversize ? length + "-byte frame exceeds the largest slot (" + store.maxFrameLength() + ")"
                    : "all " + (store.inUse() - 1) + " slots hold frames";
            byte[] a = store.array(borrowed);
            int b = store.base(borrowed);
            if (side == P) {
                scratch.primaryFrame(a, b, Math.min(length, Divergence.WINDOW * 4), store.timestamp(borrowed));
            } else {
                scratch.secondaryFrame(a, b, Math.min(length, Divergence.WINDOW * 4), store.timestamp(borrowed));
            }
            trigger();
        }
        if (deferredUntil >= 0) {
            issueDeferred(); // no frame can wait out the minimum interval here
        }
        pollCommit(); // a commit flushes: the borrowed frame is released or dropped with the rest
        if (store.stream(borrowed) == FrameStore.NONE) {
            return;
        }
        slot = store.keep();
        if (slot != FrameStore.NONE) {
            streams.replace(stream, side, borrowed, slot);
        } else {
            streams.unlink(stream, side, borrowed);
            store.free(borrowed);
            stats.increment(CompareStats.LOST);
        }
    }

    /**
     * Whether one more frame of {@code side} is sure to find a slot: each side may fill at most half of each
     * slab class (less the admission margin), so the twin of anything held always has room and a full store
     * never deadlocks the two sides. A caller that stops reading a side while this is false (back-pressure)
     * never loses a frame to a full store. Always true while unprotected.
     */
    public boolean canAccept(int side) {
        return unprotected || (store.held(side, false) < smallQuota && store.held(side, true) < largeQuota);
    }

    /** How many more frames of {@code side} are sure to find a slot now (see {@link #canAccept}). */
    public int room(int side) {
        if (unprotected) {
            return Integer.MAX_VALUE;
        }
        return Math.max(0, Math.min(smallQuota - store.held(side, false), largeQuota - store.held(side, true)));
    }

    /** Both sides at their quota and no twin in sight: only a checkpoint can make room. Reported once per episode. */
    private void checkStoreFull(int stream, int side) {
        boolean full = !canAccept(P) && !canAccept(S);
        if (!full) {
            storeFullReported = false;
        } else if (!storeFullReported) {
            storeFullReported = true;
            fillFlowOnly(CheckpointReason.STORE_FULL, stream, side, "both sides hold their share of the store ("
                    + store.held(P, false) + "+" + store.held(P, true) + " primary, " + store.held(S, false) + "+"
                    + store.held(S, true) + " secondary frames) and none is the other's twin");
            trigger();
        }
    }

    /** Back-pressure: released slots come back once the emit stage has passed them; wait for that, not a checkpoint. */
    private int awaitRetired() {
        long deadline = System.nanoTime() + config.storeFullWaitNanos();
        int slot = FrameStore.NONE;
        while (slot == FrameStore.NONE && store.retired() > 0 && System.nanoTime() < deadline) {
            Thread.yield();
            slot = store.keep();
        }
        return slot;
    }

    private boolean overQueueLimit(int stream, int side) {
        int i = Streams.idx(stream, side);
        return streams.count[i] >= config.maxQueuedPackets() || streams.bytes[i] >= config.maxQueuedBytes();
    }

    /**
     * A connection's queue reached its limit: a checkpoint is asked (replay). Under admission control the
     * side's share of the store bounds what waits instead: at full rate one flow's SVM output runs
     * thousands of frames behind the PVM's merely by its longer path, and neither a checkpoint nor a pause
     * of the PVM's port (whose kernel ring would then drop the PVM's output) is the answer to that.
     */
    private void checkQueueLimits(int stream, int side) {
        if (stream == overflowStream || config.admissionControl() || !overQueueLimit(stream, side)) {
            return;
        }
        int i = Streams.idx(stream, side);
        if ((streams.count[i] > config.maxQueuedPackets() || streams.bytes[i] > config.maxQueuedBytes())
                && (streams.flags[stream] & Streams.QUEUE_FULL_REPORTED) == 0) {
            streams.flags[stream] |= Streams.QUEUE_FULL_REPORTED;
            fillFlowOnly(CheckpointReason.QUEUE_FULL, stream, side,
                    streams.count[i] + " frames / " + streams.bytes[i] + " bytes held on the " + sideName(side) + " side");
            trigger();
        }
    }

    // ---------------------------------------------------------------- release and consume (called by the stream comparators)

    void releaseCompared(int slot) {
        release(slot, releasingFromFlush ? CompareStats.RELEASED_FLUSHED : CompareStats.RELEASED_COMPARED);
    }

    private void release(int slot, int counter) {
        long ts = store.timestamp(slot);
        if (store.isBorrowed(slot)) {
            // Released in place: the bytes belong to the caller's record, so the listener copies.
            listener.onReleaseUnheld(store.array(slot), store.base(slot), store.length(slot), ts, clock);
            holdTimes.record(clock - ts);
            stats.increment(counter);
            store.free(slot);
            return;
        }
        listener.onRelease(store.array(slot), store.base(slot), store.length(slot), ts, clock);
        holdTimes.record(clock - ts);
        stats.increment(counter);
        if (retaining != null) {
            store.retire(slot, retaining.lastReleaseSequence());
        } else {
            store.free(slot);
        }
    }

    private void releaseDirect(byte[] frame, int offset, int length, long ts, int counter) {
        listener.onReleaseUnheld(frame, offset, length, ts, clock);
        holdTimes.record(clock - ts);
        stats.increment(counter);
    }

    /** A held pure ACK took this newer one's place: this one is never sent. */
    void supersededAck(int slot) {
        stats.increment(CompareStats.SUPERSEDED_ACKS);
        store.free(slot);
    }

    void consumeSecondary(int slot) {
        stats.increment(CompareStats.SECONDARY_CONSUMED);
        store.free(slot);
    }

    private void passUnprotected(int side, byte[] frame, int offset, int length, long ts) {
        if (side == P) {
            releaseDirect(frame, offset, length, ts, CompareStats.RELEASED_UNPROTECTED);
        }
    }

    void ruleFired(IgnoreRule rule, int stream) {
        stats.increment(CompareStats.RULES_FIRED);
        listener.onRuleFired(rule.name(), describe(stream));
    }

    // ---------------------------------------------------------------- divergences and checkpoints

    void streamMismatch(int stream, int pf, int pDiff, int sf, int sDiff, long position, String detail) {
        streams.flags[stream] |= Streams.DIVERGED;
        scratch.reset(CheckpointReason.MISMATCH, Side.PRIMARY, describe(stream), clock);
        scratch.detail = detail;
        scratch.streamOffset = tcp.payloadOffset(stream, position);
        fillBytes(pf, pDiff, sf, sDiff);
        trigger();
    }

    void datagramMismatch(int stream, int p, int pDiff, int s, int sDiff, String detail) {
        streams.flags[stream] |= Streams.DIVERGED;
        scratch.reset(CheckpointReason.MISMATCH, Side.PRIMARY, describe(stream), clock);
        scratch.detail = detail;
        fillBytes(p, pDiff, s, sDiff);
        trigger();
    }

    private void fillBytes(int pf, int pDiff, int sf, int sDiff) {
        int pData = store.base(pf) + store.dataOffset(pf);
        int sData = store.base(sf) + store.dataOffset(sf);
        int pEnd = pData + store.dataLength(pf);
        int sEnd = sData + store.dataLength(sf);
        scratch.primaryWindow(store.array(pf), pData, pDiff < 0 ? pData : pDiff, pEnd);
        scratch.secondaryWindow(store.array(sf), sData, sDiff < 0 ? sData : sDiff, sEnd);
        scratch.primaryFrame(store.array(pf), store.base(pf), store.length(pf), store.timestamp(pf));
        scratch.secondaryFrame(store.array(sf), store.base(sf), store.length(sf), store.timestamp(sf));
    }

    private void fillFlowOnly(CheckpointReason reason, int stream, int side, String detail) {
        scratch.reset(reason, Side.values()[side], describe(stream), clock);
        scratch.detail = detail;
    }

    private void fillTimeout(int slot) {
        int stream = store.stream(slot);
        int side = store.side(slot);
        scratch.reset(CheckpointReason.TIMEOUT, Side.values()[side], describe(stream), clock);
        long waited = clock - store.timestamp(slot);
        scratch.detail = sideName(side) + " frame waited " + waited / 1_000_000 + " ms for "
                + (side == P ? "its twin" : "the primary's matching output");
        if (streams.kind[stream] == Streams.TCP) {
            scratch.streamOffset = tcp.payloadOffset(stream, Math.max(store.relStart(slot),
                    streams.cursor[Streams.idx(stream, side)]));
        }
        int data = store.base(slot) + store.dataOffset(slot);
        if (side == P) {
            scratch.primaryWindow(store.array(slot), data, data, data + store.dataLength(slot));
            scratch.primaryFrame(store.array(slot), store.base(slot), store.length(slot), store.timestamp(slot));
        } else {
            scratch.secondaryWindow(store.array(slot), data, data, data + store.dataLength(slot));
            scratch.secondaryFrame(store.array(slot), store.base(slot), store.length(slot), store.timestamp(slot));
        }
    }

    /** Reports the divergence in {@link #scratch} and asks for a checkpoint unless one is pending already. */
    private void trigger() {
        CheckpointReason reason = scratch.reason;
        stats.divergence(reason);
        listener.onDivergence(scratch);
        if (checkpointPending()) {
            stats.increment(CompareStats.CHECKPOINTS_COALESCED);
            return;
        }
        Divergence d = cause;
        cause = scratch;
        scratch = d;
        long earliest = lastCommit + config.minCheckpointIntervalNanos();
        if (clock < earliest) {
            deferredUntil = earliest;
            return;
        }
        issue();
    }

    private void issueDeferred() {
        deferredUntil = -1;
        issue();
    }

    private void issue() {
        stats.checkpoint(cause.reason);
        listener.onCheckpointRequested(cause);
        pendingGeneration = gate.request(cause.reason);
        pollCommit();
    }

    // ---------------------------------------------------------------- time

    private void advanceTime(long now) {
        if (!clockStarted) {
            clockStarted = true;
            clock = now;
            gridOrigin = now;
            lastIdleScan = now;
        }
        if (now > clock) {
            timedOutThisAdvance = FrameStore.NONE;
            while (true) {
                long due = nextDue();
                if (due > now) {
                    break;
                }
                clock = Math.max(clock, due);
                if (!fireDue()) {
                    break;
                }
            }
            clock = now;
            if (now - lastIdleScan >= config.scanIntervalNanos()) {
                lastIdleScan = now;
                evictIdle();
            }
        }
        pollCommit();
    }

    private long nextDue() {
        if (deferredUntil >= 0) {
            return deferredUntil;
        }
        int oldest = store.oldest();
        if (pendingGeneration >= 0 || oldest == FrameStore.NONE) {
            return Long.MAX_VALUE;
        }
        long deadline = store.timestamp(oldest) + config.compareTimeoutNanos();
        if (deadline <= gridOrigin) {
            return gridOrigin;
        }
        long scan = config.scanIntervalNanos();
        return gridOrigin + ((deadline - gridOrigin + scan - 1) / scan) * scan;
    }

    private boolean fireDue() {
        if (deferredUntil >= 0) {
            clockFirings++;
            issueDeferred();
            return true;
        }
        int oldest = store.oldest();
        if (oldest == FrameStore.NONE || pendingGeneration >= 0) {
            return false;
        }
        if (oldest == timedOutThisAdvance) {
            // No frame arrived since its first timeout in this advance (slots are not reused without one), and
            // the checkpoint that timeout asked for kept it: the state is a fixed point, every further round the same.
            repeatsCollapsed++;
            return false;
        }
        clockFirings++;
        timedOutThisAdvance = oldest;
        fillTimeout(oldest);
        trigger();
        return true;
    }

    private void evictIdle() {
        long idleBefore = clock - config.idleTimeoutNanos();
        int c = connections.leastRecent();
        while (c != ConnectionTable.NONE && connections.lastSeen(c) <= idleBefore) {
            int next = connections.moreRecent(c);
            if (streams.isEmpty(c * 2) && streams.isEmpty(c * 2 + 1)) {
                forget(c);
                stats.increment(CompareStats.EVICTED_IDLE);
            }
            c = next;
        }
    }

    private static final int LRU_EVICTION_SCAN = 64;

    private boolean evictLeastRecentIdle() {
        int c = connections.leastRecent();
        for (int n = 0; n < LRU_EVICTION_SCAN && c != ConnectionTable.NONE; n++, c = connections.moreRecent(c)) {
            if (streams.isEmpty(c * 2) && streams.isEmpty(c * 2 + 1)) {
                forget(c);
                stats.increment(CompareStats.EVICTED_LRU);
                return true;
            }
        }
        return false;
    }

    private void forget(int conn) {
        connections.remove(conn);
        streams.reset(conn * 2);
        streams.reset(conn * 2 + 1);
    }

    // ---------------------------------------------------------------- flush

    /** After a commit: release held primary frames in arrival order, drop stale secondary frames, realign streams. */
    private void flush() {
        lastCommit = clock;
        int released = 0;
        int dropped = 0;
        CheckpointModel model = config.checkpointModel();
        for (int c = connections.leastRecent(); c != ConnectionTable.NONE; c = connections.moreRecent(c)) {
            for (int stream = c * 2; stream <= c * 2 + 1; stream++) {
                if (streams.kind[stream] == Streams.TCP) {
                    tcp.realign(stream, model);
                } else {
                    flushQuota[stream] = datagrams.staleQuota(stream, model);
                }
            }
        }
        flushQuota[overflowStream] = 0;
        releasingFromFlush = true;
        for (int slot = store.oldest(); slot != FrameStore.NONE; ) {
            int next = store.younger(slot);
            int stream = store.stream(slot);
            int side = store.side(slot);
            if (side == P) {
                streams.unlink(stream, P, slot);
                release(slot, CompareStats.RELEASED_FLUSHED);
                released++;
            } else if (isStale(stream, slot, model)) {
                streams.unlink(stream, S, slot);
                stats.increment(CompareStats.SECONDARY_FLUSHED);
                store.free(slot);
                dropped++;
            }
            slot = next;
        }
        releasingFromFlush = false;
        storeFullReported = false;
        streams.kind[overflowStream] = Streams.UNUSED;
        stats.increment(CompareStats.FLUSHES);
        listener.onFlush(clock, released, dropped);
        // Secondary output kept (it ran ahead of the primary) may already match what followed.
        for (int c = connections.leastRecent(); c != ConnectionTable.NONE; c = connections.moreRecent(c)) {
            for (int stream = c * 2; stream <= c * 2 + 1; stream++) {
                if (streams.count[Streams.idx(stream, S)] > 0) {
                    if (streams.kind[stream] == Streams.TCP) {
                        tcp.advance(stream);
                    } else {
                        datagrams.advance(stream);
                    }
                }
            }
        }
    }

    private boolean isStale(int stream, int slot, CheckpointModel model) {
        if (streams.kind[stream] == Streams.TCP) {
            return tcp.staleAfterRealign(stream, slot, model);
        }
        if (flushQuota[stream] > 0) {
            flushQuota[stream]--;
            return true;
        }
        // Waited a whole compare timeout and no twin came (it was lost before the comparator saw it): a
        // secondary datagram that old is not kept to be compared with whatever the primary sends next.
        return clock - store.timestamp(slot) >= config.compareTimeoutNanos();
    }

    private String describe(int stream) {
        if (stream == overflowStream) {
            return "(untracked: connection table full)";
        }
        return connections.describe(stream >> 1) + ((stream & 1) == 0 ? " [dir 0]" : " [dir 1]");
    }

    private static String sideName(int side) {
        return side == P ? "primary" : "secondary";
    }
}
