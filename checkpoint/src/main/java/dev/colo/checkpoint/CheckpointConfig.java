package dev.colo.checkpoint;

import dev.colo.checkpoint.protocol.Wire;
import java.time.Duration;

/** Named configuration of a checkpoint node, defaults in one place. */
public final class CheckpointConfig {
    /*
     * Failover timing defaults (issue 17). Target: a killed primary is detected and taken over, with a
     * witness, within about 500 ms.
     *  - Detection: heartbeat 50 ms x 4 misses = 200 ms without a message before the peer is lost.
     *  - Lease: 250 ms. The witness keeps it 1.5 x ttl (375 ms) after it received the last renewal, so a
     *    killed primary's lease is free at most 375 ms after its death; the secondary, which noticed at
     *    200 ms, asks again every 50 ms: granted about 375-425 ms after the kill, plus one round trip.
     *  - Renewal every 60 ms: four renewals per lease, so three in a row may be lost or late before the
     *    primary fences itself (at 0.8 x ttl = 200 ms after the start of its last confirmed renewal).
     *  - Fencing margin: the primary stops releasing output at 0.8 x ttl on its own clock, counted from
     *    before it sent the renewal; the witness frees the lease at 1.5 x ttl on its clock, counted from
     *    when the renewal arrived (later). 0.7 x ttl (175 ms) apart: safe while the two clocks' rates
     *    differ by less than about 35 % ((1 + r)^2 < 1.5 / 0.8), and while the primary's fence callback
     *    runs within that margin.
     *  - The lease is never shorter than the detection window (see validate()).
     */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(50);
    /** Peer declared lost after this many intervals without a message: 200 ms by default. */
    public static final int DEFAULT_HEARTBEAT_MISSES = 4;
    /** The witness lease the primary holds (the same default as {@link dev.colo.checkpoint.arbiter.WitnessArbiter#DEFAULT_LEASE_TTL}). */
    public static final Duration DEFAULT_LEASE_TTL = dev.colo.checkpoint.arbiter.WitnessArbiter.DEFAULT_LEASE_TTL;
    /** The primary fences itself (stops releasing output) this many percent of the lease after its last confirmed renewal started. */
    public static final int FENCE_AT_PERCENT = dev.colo.checkpoint.arbiter.WitnessArbiter.FENCE_AT_PERCENT;
    /** How soon a secondary refused a takeover asks again (the dead primary's lease runs out meanwhile). */
    public static final Duration DEFAULT_PROMOTION_RETRY = Duration.ofMillis(50);
    /** Accepted lease range: what the witness accepts in a claim. */
    public static final Duration MIN_LEASE_TTL = Duration.ofMillis(100);
    public static final Duration MAX_LEASE_TTL = Duration.ofSeconds(60);
    /** Longest wait for the peer's next sync point before the link is declared stalled. */
    public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(10);
    /** QEMU's x-checkpoint-delay default. */
    public static final Duration DEFAULT_PERIODIC_INTERVAL = Duration.ofSeconds(20);
    /** Requests closer together than this coalesce into one checkpoint. */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofMillis(20);
    public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofMillis(200);
    public static final Duration DEFAULT_PROMOTION_TIMEOUT = Duration.ofSeconds(2);
    /** How often the primary renews its claim with the arbiter: four times per default lease (250 ms). */
    public static final Duration DEFAULT_RENEW_INTERVAL = Duration.ofMillis(60);
    /**
     * Deltas up to this size are captured, sent and applied on the link's thread, with no hop to the VM
     * thread: a thread wake-up costs 100-250 us on a small VM, and an empty checkpoint would cross about
     * seven of them. Larger deltas go to the VM thread so that heartbeats keep flowing.
     */
    public static final int DEFAULT_INLINE_STATE_BYTES = 1 << 20;
    /** Bytes queued on the link before the state sender waits (bounded memory for any delta). */
    public static final int DEFAULT_WRITE_HIGH_WATER = 8 << 20;

    private String nodeId = "node";
    private String clusterId = "colo";
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private int heartbeatMisses = DEFAULT_HEARTBEAT_MISSES;
    private Duration syncTimeout = DEFAULT_SYNC_TIMEOUT;
    /** Volatile: settable at run time from any thread (the coordinator reads both at each use, on its loop). */
    private volatile Duration periodicInterval = DEFAULT_PERIODIC_INTERVAL;
    private volatile Duration minInterval = DEFAULT_MIN_INTERVAL;
    private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;
    private Duration promotionTimeout = DEFAULT_PROMOTION_TIMEOUT;
    private Duration renewInterval = DEFAULT_RENEW_INTERVAL;
    private Duration leaseTtl = DEFAULT_LEASE_TTL;
    private Duration promotionRetry = DEFAULT_PROMOTION_RETRY;
    private int chunkSize = Wire.DEFAULT_CHUNK_SIZE;
    private int maxFrame = Wire.DEFAULT_MAX_FRAME;
    private int writeHighWater = DEFAULT_WRITE_HIGH_WATER;
    private int inlineStateBytes = DEFAULT_INLINE_STATE_BYTES;

    public CheckpointConfig validate() {
        require(!nodeId.isBlank() && !clusterId.isBlank(), "node id and cluster id must not be blank");
        require(heartbeatInterval.toMillis() >= 1, "heartbeat interval must be >= 1 ms");
        require(heartbeatMisses >= 2, "heartbeat misses must be >= 2");
        require(chunkSize >= 4096 && chunkSize + 64 <= maxFrame, "chunk size must be >= 4096 and fit the max frame");
        require(inlineStateBytes >= 0 && inlineStateBytes < writeHighWater, "inline state bytes must stay below the write high water");
        require(!periodicInterval.isNegative() && !minInterval.isNegative(), "intervals must not be negative");
        validateFailoverTiming();
        return this;
    }

    /** The checks of heartbeat, lease, renewal and promotion timing: each refusal says why the combination cannot work. */
    private void validateFailoverTiming() {
        long ttl = leaseTtl.toMillis();
        long renew = renewInterval.toMillis();
        require(ttl >= MIN_LEASE_TTL.toMillis() && ttl <= MAX_LEASE_TTL.toMillis(), "lease ttl must be "
                + MIN_LEASE_TTL.toMillis() + ".." + MAX_LEASE_TTL.toMillis() + " ms (what the witness accepts), got " + ttl + " ms");
        require(renew >= 1, "renew interval must be >= 1 ms, got " + renew + " ms");
        require(renew * 2 < ttl, "renew interval " + renew + " ms must be below half the lease ttl " + ttl
                + " ms: the primary fences itself " + FENCE_AT_PERCENT + " % into its lease, so with fewer than two"
                + " renewals per lease one late renewal would stop its output");
        long detection = peerTimeout().toMillis();
        require(ttl >= detection, "lease ttl " + ttl + " ms is shorter than the heartbeat detection window "
                + heartbeatInterval.toMillis() + " ms x " + heartbeatMisses + " = " + detection + " ms: a short witness"
                + " outage would fence the primary sooner than a dead peer is even noticed; lengthen the lease or detect faster");
        require(promotionTimeout.toMillis() >= 1, "promotion timeout must be >= 1 ms, got " + promotionTimeout.toMillis() + " ms");
        long retry = promotionRetry.toMillis();
        require(retry >= 1 && retry <= ttl, "promotion retry must be 1.." + ttl + " ms (at most one lease, or the"
                + " takeover waits longer than the dead primary's lease), got " + retry + " ms");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** How long without a message before the peer is lost. */
    public Duration peerTimeout() {
        return heartbeatInterval.multipliedBy(heartbeatMisses);
    }

    public String nodeId() { return nodeId; }
    public CheckpointConfig nodeId(String v) { nodeId = v; return this; }
    public String clusterId() { return clusterId; }
    public CheckpointConfig clusterId(String v) { clusterId = v; return this; }
    public Duration heartbeatInterval() { return heartbeatInterval; }
    public CheckpointConfig heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
    public int heartbeatMisses() { return heartbeatMisses; }
    public CheckpointConfig heartbeatMisses(int v) { heartbeatMisses = v; return this; }
    public Duration syncTimeout() { return syncTimeout; }
    public CheckpointConfig syncTimeout(Duration v) { syncTimeout = v; return this; }
    /** Zero turns periodic checkpoints off. */
    public Duration periodicInterval() { return periodicInterval; }
    public CheckpointConfig periodicInterval(Duration v) { periodicInterval = v; return this; }
    public Duration minInterval() { return minInterval; }
    public CheckpointConfig minInterval(Duration v) { minInterval = v; return this; }
    public Duration reconnectDelay() { return reconnectDelay; }
    public CheckpointConfig reconnectDelay(Duration v) { reconnectDelay = v; return this; }
    public Duration promotionTimeout() { return promotionTimeout; }
    public CheckpointConfig promotionTimeout(Duration v) { promotionTimeout = v; return this; }
    public Duration renewInterval() { return renewInterval; }
    public CheckpointConfig renewInterval(Duration v) { renewInterval = v; return this; }
    /** The witness lease the primary asks for (build its {@code WitnessArbiter} with it). */
    public Duration leaseTtl() { return leaseTtl; }
    public CheckpointConfig leaseTtl(Duration v) { leaseTtl = v; return this; }
    /** How soon a secondary refused a takeover asks the arbiter again. */
    public Duration promotionRetry() { return promotionRetry; }
    public CheckpointConfig promotionRetry(Duration v) { promotionRetry = v; return this; }
    public int chunkSize() { return chunkSize; }
    public CheckpointConfig chunkSize(int v) { chunkSize = v; return this; }
    public int maxFrame() { return maxFrame; }
    public CheckpointConfig maxFrame(int v) { maxFrame = v; return this; }
    public int inlineStateBytes() { return inlineStateBytes; }
    public CheckpointConfig inlineStateBytes(int v) { inlineStateBytes = v; return this; }
    public int writeHighWater() { return writeHighWater; }
    public CheckpointConfig writeHighWater(int v) { writeHighWater = v; return this; }
}
