package dev.colo.compare;

import dev.colo.compare.rules.RuleSet;
import java.util.concurrent.TimeUnit;

/**
 * Named configuration of the comparator, with the defaults in one place (Aeron style). Setters
 * return this; {@link #validate()} says plainly what is wrong.
 */
public final class CompareConfig {
    /** QEMU's compare_timeout default. A frame that waits longer for its twin fires a checkpoint. */
    public static final long DEFAULT_COMPARE_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(3000);
    /** Ten times finer than QEMU's expired_scan_cycle (1 s): a timeout fires at most this late. */
    public static final long DEFAULT_SCAN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** QEMU's max_queue_size, but per side per connection and enforced by a checkpoint, never by dropping. */
    public static final int DEFAULT_MAX_QUEUED_PACKETS = 1024;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 16L << 20;
    public static final int DEFAULT_MAX_CONNECTIONS = 65536;
    /** Bursts of divergences within this interval after a checkpoint coalesce into one. */
    public static final long DEFAULT_MIN_CHECKPOINT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A connection with nothing held and no traffic for this long is forgotten. */
    public static final long DEFAULT_IDLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    public static final int DEFAULT_SMALL_SLOTS = 16384;
    public static final int DEFAULT_SMALL_SLOT_SIZE = 2048;
    public static final int DEFAULT_LARGE_SLOTS = 512;
    /** Room for the longest frame a QEMU-format link carries (69632 B, more than a 64 KiB GSO super-frame). */
    public static final int DEFAULT_LARGE_SLOT_SIZE = 69632;
    /**
     * Held primary frames of one connection beyond which a new pure ACK replaces the held pure ACK at the
     * tail instead of queueing behind it (0: never). A lagging secondary then costs a bounded queue, not a
     * QUEUE_FULL checkpoint: the client still gets the first ones as the secondary catches up.
     */
    public static final int DEFAULT_THIN_ACKS_AFTER = 64;
    /**
     * Frames a caller may have in flight toward the comparator after {@link OutputComparator#canAccept} last
     * said yes (0 when it asks before each frame; a queue in between needs its depth): taken off each side's share.
     */
    public static final int DEFAULT_ADMISSION_MARGIN = 0;
    /** How long the comparator waits for the emit stage to hand back released slots when it cannot hold one more frame. */
    public static final long DEFAULT_STORE_FULL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private long compareTimeoutNanos = DEFAULT_COMPARE_TIMEOUT_NANOS;
    private long scanIntervalNanos = DEFAULT_SCAN_INTERVAL_NANOS;
    private int maxQueuedPackets = DEFAULT_MAX_QUEUED_PACKETS;
    private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private long minCheckpointIntervalNanos = DEFAULT_MIN_CHECKPOINT_INTERVAL_NANOS;
    private long idleTimeoutNanos = DEFAULT_IDLE_TIMEOUT_NANOS;
    private int smallSlots = DEFAULT_SMALL_SLOTS;
    private int smallSlotSize = DEFAULT_SMALL_SLOT_SIZE;
    private int largeSlots = DEFAULT_LARGE_SLOTS;
    private int largeSlotSize = DEFAULT_LARGE_SLOT_SIZE;
    private long storeFullWaitNanos = DEFAULT_STORE_FULL_WAIT_NANOS;
    private int thinAcksAfter = DEFAULT_THIN_ACKS_AFTER;
    private int admissionMargin = DEFAULT_ADMISSION_MARGIN;
    private boolean admissionControl;
    private CheckpointModel checkpointModel = CheckpointModel.SECONDARY_RESTORED;
    private RuleSet rules = RuleSet.defaults();
    /** Run-time changes waiting for the comparator's thread (see {@link #submitLiveChange}). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> liveChanges = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Any thread: a change of this configuration for the comparator that uses it to run on its own thread,
     * at its next tick ({@link OutputComparator#onTick}; through the Disruptor ring as a TICK event when the
     * comparator has a thread of its own). The comparator reads the values that may change this way at each
     * use: compare timeout, scan interval, queue limits, thin-acks-after, min checkpoint interval, rules.
     */
    public void submitLiveChange(Runnable change) {
        liveChanges.add(change);
    }

    /** The comparator's thread: runs the changes submitted so far. Lock- and allocation-free when there are none. */
    public void applyLiveChanges() {
        Runnable r;
        while ((r = liveChanges.poll()) != null) {
            r.run();
        }
    }

    /** A copy of every value (not the pending changes): to validate a change before it is made. */
    public CompareConfig copy() {
        CompareConfig c = new CompareConfig();
        c.compareTimeoutNanos = compareTimeoutNanos;
        c.scanIntervalNanos = scanIntervalNanos;
        c.maxQueuedPackets = maxQueuedPackets;
        c.maxQueuedBytes = maxQueuedBytes;
        c.maxConnections = maxConnections;
        c.minCheckpointIntervalNanos = minCheckpointIntervalNanos;
        c.idleTimeoutNanos = idleTimeoutNanos;
        c.smallSlots = smallSlots;
        c.smallSlotSize = smallSlotSize;
        c.largeSlots = largeSlots;
        c.largeSlotSize = largeSlotSize;
        c.storeFullWaitNanos = storeFullWaitNanos;
        c.thinAcksAfter = thinAcksAfter;
        c.admissionMargin = admissionMargin;
        c.admissionControl = admissionControl;
        c.checkpointModel = checkpointModel;
        c.rules = rules;
        return c;
    }

    public CompareConfig validate() {
        require(compareTimeoutNanos > 0, "compare timeout must be > 0");
        require(scanIntervalNanos > 0, "scan interval must be > 0");
        require(scanIntervalNanos <= compareTimeoutNanos, "scan interval must not exceed the compare timeout");
        require(maxQueuedPackets >= 1, "max queued packets must be >= 1");
        require(maxQueuedBytes >= 1, "max queued bytes must be >= 1");
        require(thinAcksAfter >= 0, "thin-acks-after must be >= 0 (0: never)");
        require(admissionMargin >= 0, "admission margin must be >= 0");
        require(maxConnections >= 1 && maxConnections <= 1 << 24, "max connections must be in 1..16777216");
        require(minCheckpointIntervalNanos >= 0, "min checkpoint interval must be >= 0");
        require(idleTimeoutNanos > 0, "idle timeout must be > 0");
        require(smallSlots >= 1 && largeSlots >= 1, "slot counts must be >= 1");
        require(smallSlotSize >= 64 && largeSlotSize >= smallSlotSize, "slot sizes: small >= 64, large >= small");
        require((long) smallSlots * smallSlotSize < Integer.MAX_VALUE && (long) largeSlots * largeSlotSize < Integer.MAX_VALUE,
                "a slab class must stay under 2 GiB (fewer or smaller slots)");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public long compareTimeoutNanos() { return compareTimeoutNanos; }
    public CompareConfig compareTimeoutNanos(long v) { compareTimeoutNanos = v; return this; }
    public long scanIntervalNanos() { return scanIntervalNanos; }
    public CompareConfig scanIntervalNanos(long v) { scanIntervalNanos = v; return this; }
    public int maxQueuedPackets() { return maxQueuedPackets; }
    public CompareConfig maxQueuedPackets(int v) { maxQueuedPackets = v; return this; }
    /**
     * The caller reads a side only while {@link OutputComparator#canAccept} allows it (live nodes): each
     * side's share of the store bounds what waits, and the per-connection queue limits ask for no
     * checkpoint. Off for replay, which cannot pause a capture: there a limit asks for one (QUEUE_FULL).
     */
    public boolean admissionControl() { return admissionControl; }
    public CompareConfig admissionControl(boolean v) { admissionControl = v; return this; }
    public int admissionMargin() { return admissionMargin; }
    public CompareConfig admissionMargin(int v) { admissionMargin = v; return this; }
    public int thinAcksAfter() { return thinAcksAfter; }
    public CompareConfig thinAcksAfter(int v) { thinAcksAfter = v; return this; }
    public long maxQueuedBytes() { return maxQueuedBytes; }
    public CompareConfig maxQueuedBytes(long v) { maxQueuedBytes = v; return this; }
    public int maxConnections() { return maxConnections; }
    public CompareConfig maxConnections(int v) { maxConnections = v; return this; }
    public long minCheckpointIntervalNanos() { return minCheckpointIntervalNanos; }
    public CompareConfig minCheckpointIntervalNanos(long v) { minCheckpointIntervalNanos = v; return this; }
    public long idleTimeoutNanos() { return idleTimeoutNanos; }
    public CompareConfig idleTimeoutNanos(long v) { idleTimeoutNanos = v; return this; }
    public int smallSlots() { return smallSlots; }
    public CompareConfig smallSlots(int v) { smallSlots = v; return this; }
    public int smallSlotSize() { return smallSlotSize; }
    public CompareConfig smallSlotSize(int v) { smallSlotSize = v; return this; }
    public int largeSlots() { return largeSlots; }
    public CompareConfig largeSlots(int v) { largeSlots = v; return this; }
    public int largeSlotSize() { return largeSlotSize; }
    public CompareConfig largeSlotSize(int v) { largeSlotSize = v; return this; }
    public long storeFullWaitNanos() { return storeFullWaitNanos; }
    public CompareConfig storeFullWaitNanos(long v) { storeFullWaitNanos = v; return this; }
    public CheckpointModel checkpointModel() { return checkpointModel; }
    public CompareConfig checkpointModel(CheckpointModel v) { checkpointModel = v; return this; }
    public RuleSet rules() { return rules; }
    public CompareConfig rules(RuleSet v) { rules = v; return this; }

    @Override
    public String toString() {
        return "compare-timeout=" + TimeUnit.NANOSECONDS.toMillis(compareTimeoutNanos) + "ms"
                + " scan-interval=" + TimeUnit.NANOSECONDS.toMillis(scanIntervalNanos) + "ms"
                + " max-queued-packets=" + maxQueuedPackets + " thin-acks-after=" + thinAcksAfter + " max-queued-bytes=" + maxQueuedBytes
                + " max-connections=" + maxConnections
                + " min-checkpoint-interval=" + TimeUnit.NANOSECONDS.toMillis(minCheckpointIntervalNanos) + "ms"
                + " model=" + checkpointModel + " rules=[" + rules + "]";
    }
}
