package dev.colo.checkpoint;

import dev.colo.checkpoint.protocol.Wire;
import java.time.Duration;

/** Named configuration of a checkpoint node, defaults in one place. */
public final class CheckpointConfig {
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(100);
    /** Peer declared lost after this many intervals without a message: 500 ms by default. */
    public static final int DEFAULT_HEARTBEAT_MISSES = 5;
    /** Longest wait for the peer's next sync point before the link is declared stalled. */
    public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(10);
    /** QEMU's x-checkpoint-delay default. */
    public static final Duration DEFAULT_PERIODIC_INTERVAL = Duration.ofSeconds(20);
    /** Requests closer together than this coalesce into one checkpoint. */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofMillis(20);
    public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofMillis(200);
    public static final Duration DEFAULT_PROMOTION_TIMEOUT = Duration.ofSeconds(2);
    /** How often the primary renews its claim with the arbiter: a third of the witness's default 3 s lease. */
    public static final Duration DEFAULT_RENEW_INTERVAL = Duration.ofSeconds(1);
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
        return this;
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
    public int chunkSize() { return chunkSize; }
    public CheckpointConfig chunkSize(int v) { chunkSize = v; return this; }
    public int maxFrame() { return maxFrame; }
    public CheckpointConfig maxFrame(int v) { maxFrame = v; return this; }
    public int inlineStateBytes() { return inlineStateBytes; }
    public CheckpointConfig inlineStateBytes(int v) { inlineStateBytes = v; return this; }
    public int writeHighWater() { return writeHighWater; }
    public CheckpointConfig writeHighWater(int v) { writeHighWater = v; return this; }
}
