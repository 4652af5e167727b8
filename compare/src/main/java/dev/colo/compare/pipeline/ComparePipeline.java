package dev.colo.compare.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.OutputComparator;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The comparison pipeline on two LMAX Disruptor rings: ingest (the caller publishes frames) -> parse
 * -> compare -> emit (the sink, on its own thread). Each stage is one thread; no locks and no
 * allocation per frame, back-pressure by the rings' capacity (a full ring makes the publisher wait).
 */
public final class ComparePipeline implements CompareStage {
    /** How the stage threads wait for work. */
    public enum Waiting {
        /** Spin, then yield, then park briefly: low latency and an idle CPU when idle (the default). */
        SLEEPING,
        /** Spin and yield: the lowest latency, a busy CPU per stage. For benchmarks and batch replay. */
        YIELDING,
        /** Lock and condition: the least CPU, the most latency. */
        BLOCKING
    }

    /** Where decisions reach the sink. */
    public enum EmitOn {
        /** A stage of its own, behind a second ring: the comparator never waits for the sink's I/O (the default). */
        OWN_THREAD,
        /** The compare thread, right away: one thread hand-off less per released frame (live nodes). */
        COMPARE_THREAD
    }

    /** Where the parse stage runs. */
    public enum ParseOn {
        /** Its own thread between ingest and compare: the most parallel, for machines with cores to spare. */
        OWN_THREAD,
        /** The publishing thread, while the frame is hot in its cache: one thread less; parses in parallel when several threads publish. */
        INGEST
    }

    /** 4096 frames of ~1.5 KiB stay cache-resident between stages; larger rings measured slower. */
    public static final int DEFAULT_RING_SIZE = 4096;

    private final Disruptor<FrameEvent> inbound;
    private final Disruptor<DecisionEvent> outbound;
    private final RingBuffer<FrameEvent> ring;
    private final OutputComparator comparator;
    private final EmitHandler emit;
    private final InlineEmit inlineEmit;
    private final boolean drainAtEnd;
    private final int publishBatch;
    private final dev.colo.compare.packet.FrameDecoder ingestDecoder;
    private long batchFirst = -1;
    private long batchLast;
    private final ParseOn parseOn;
    private final ThreadLocal<dev.colo.compare.packet.FrameDecoder> decoders =
            ThreadLocal.withInitial(dev.colo.compare.packet.FrameDecoder::new);
    private boolean closed;
    private final Admission admission;

    private ComparePipeline(Builder b) {
        drainAtEnd = b.drainAtEnd;
        Runnable onEnd;
        if (b.emitOn == EmitOn.COMPARE_THREAD) {
            outbound = null;
            emit = null;
            inlineEmit = new InlineEmit(b.sink);
            comparator = new OutputComparator(b.config, b.gate, inlineEmit);
            onEnd = inlineEmit::onEnd;
        } else {
            outbound = new Disruptor<>(DecisionEvent::new, b.ringSize, threads("colo-emit"), ProducerType.SINGLE, wait(b.waiting));
            emit = new EmitHandler(b.sink);
            inlineEmit = null;
            outbound.handleEventsWith(emit);
            DecisionPublisher decisions = new DecisionPublisher(outbound.start());
            decisions.consumedBy(emit.sequence());
            comparator = new OutputComparator(b.config, b.gate, decisions);
            onEnd = decisions::onEnd;
        }
        inbound = new Disruptor<>(FrameEvent::new, b.ringSize, threads("colo-compare"),
                b.multipleProducers ? ProducerType.MULTI : ProducerType.SINGLE, wait(b.waiting));
        admission = new Admission(comparator);
        CompareHandler compare = new CompareHandler(comparator, onEnd, admission);
        if (b.parseOn == ParseOn.OWN_THREAD) {
            inbound.handleEventsWith(new ParseHandler()).then(compare);
            ingestDecoder = null;
        } else {
            inbound.handleEventsWith(compare);
            ingestDecoder = b.multipleProducers ? null : new dev.colo.compare.packet.FrameDecoder();
        }
        parseOn = b.parseOn;
        ring = inbound.start();
        publishBatch = b.publishBatch;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static WaitStrategy wait(Waiting w) {
        switch (w) {
            case YIELDING: return new YieldingWaitStrategy();
            case BLOCKING: return new BlockingWaitStrategy();
            default: return new SleepingWaitStrategy();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Ingest: copies the frame into the ring (waits while the ring is full). With a publish batch
     * above 1 the frame becomes visible to the stages with the batch (or at {@link #flush()}).
     */
    public void publish(int side, long timestampNanos, int linkType, byte[] frame, int offset, int length) {
        long seq = ring.next();
        FrameEvent e = ring.get(seq);
        e.setFrame(side, timestampNanos, linkType, frame, offset, length);
        if (parseOn == ParseOn.INGEST) {
            (ingestDecoder != null ? ingestDecoder : decoders.get()).decode(linkType, e.data, 0, length, e.info);
        }
        admission.published(side);
        commit(seq);
    }

    /** Like {@link #publish(int, long, int, byte[], int, int)} for a frame between a buffer's position and limit. */
    @Override
    public void publish(int side, long timestampNanos, int linkType, java.nio.ByteBuffer frame) {
        long seq = ring.next();
        FrameEvent e = ring.get(seq);
        e.setFrame(side, timestampNanos, linkType, frame);
        if (parseOn == ParseOn.INGEST) {
            (ingestDecoder != null ? ingestDecoder : decoders.get()).decode(linkType, e.data, 0, e.length, e.info);
        }
        admission.published(side);
        commit(seq);
    }

    /**
     * Whether one more frame of {@code side} is sure to find room in the store, counting the frames still on
     * their way through the ring. Only for a single publishing thread.
     */
    @Override
    public boolean canAccept(int side) {
        return admission.canAccept(side);
    }

    /** Publishes at once, or with the batch. */
    private void commit(long seq) {
        if (publishBatch == 1) {
            ring.publish(seq);
            return;
        }
        if (batchFirst < 0) {
            batchFirst = seq;
        }
        batchLast = seq;
        if (seq - batchFirst + 1 >= publishBatch) {
            flush();
        }
    }

    /** The secondary is gone: held output is released and the primary's output passes from now on (in order with frames already published). */
    @Override
    public void enterUnprotected(long nowNanos) {
        control(FrameEvent.UNPROTECT, nowNanos, false);
    }

    /** A secondary is in sync again: compare from a clean slate. */
    @Override
    public void resumeProtection(long nowNanos) {
        control(FrameEvent.PROTECT, nowNanos, false);
    }

    /** Makes every frame published so far visible to the stages. */
    public void flush() {
        if (batchFirst >= 0) {
            ring.publish(batchFirst, batchLast);
            batchFirst = -1;
        }
    }

    /** Advances the comparator's clock without a frame (a live timer calls this every scan interval). */
    @Override
    public void tick(long nowNanos) {
        control(FrameEvent.TICK, nowNanos, false);
    }

    private void control(int type, long nowNanos, boolean drain) {
        flush();
        long seq = ring.next();
        try {
            ring.get(seq).setControl(type, nowNanos, drain);
        } finally {
            ring.publish(seq);
        }
    }

    /** The comparator; read its stats only from the compare thread or after {@link #close}. */
    @Override
    public OutputComparator comparator() {
        return comparator;
    }

    /** Ends input at {@code nowNanos}: everything published is compared (and drained, if so built) and emitted. */
    public void finish(long nowNanos) {
        end(nowNanos, drainAtEnd);
    }

    /** Stops after emitting everything already published; held frames stay held (no drain). */
    @Override
    public void close() {
        end(0, false);
    }

    private void end(long nowNanos, boolean drain) {
        if (closed) {
            return;
        }
        closed = true;
        // An end marker through both rings, then halt. Disruptor's own shutdown() is not used: it
        // ignores processors whose threads have not started yet and can halt them before they ran.
        control(FrameEvent.END, nowNanos, drain);
        try {
            boolean done = emit != null ? emit.awaitEnd(1, TimeUnit.MINUTES) : inlineEmit.awaitEnd(1, TimeUnit.MINUTES);
            if (!done) {
                throw new IllegalStateException("pipeline did not drain within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while draining the pipeline", e);
        } finally {
            inbound.halt();
            if (outbound != null) {
                outbound.halt();
            }
        }
    }

    public static final class Builder {
        private CompareConfig config = new CompareConfig();
        private CheckpointGate gate = CheckpointGate.immediate();
        private DecisionListener sink = DecisionListener.NONE;
        private int ringSize = DEFAULT_RING_SIZE;
        private Waiting waiting = Waiting.SLEEPING;
        private EmitOn emitOn = EmitOn.OWN_THREAD;
        private boolean multipleProducers;
        private boolean drainAtEnd = true;
        private int publishBatch = 1;
        private ParseOn parseOn = ParseOn.INGEST;

        public Builder config(CompareConfig c) { config = c; return this; }
        public Builder gate(CheckpointGate g) { gate = g; return this; }
        public Builder sink(DecisionListener s) { sink = s; return this; }
        public Builder waiting(Waiting w) { waiting = w; return this; }
        /** Several threads publish (live: the primary's tap and the secondary's link). */
        public Builder multipleProducers(boolean m) { multipleProducers = m; return this; }
        /** On {@link #finish}, let virtual time run past every deadline so all held output resolves. */
        public Builder drainAtEnd(boolean d) { drainAtEnd = d; return this; }

        /**
         * Frames made visible together (single producer only): fewer cache-line hand-offs between
         * threads, at the cost of up to this many frames of latency. 1 (the default) for live use.
         */
        public Builder publishBatch(int frames) {
            if (frames < 1) {
                throw new IllegalArgumentException("publish batch must be >= 1, got " + frames);
            }
            publishBatch = frames;
            return this;
        }

        public Builder parseOn(ParseOn where) { parseOn = where; return this; }

        public Builder emitOn(EmitOn where) { emitOn = where; return this; }

        public Builder ringSize(int size) {
            if (Integer.bitCount(size) != 1 || size < 2) {
                throw new IllegalArgumentException("ring size must be a power of two >= 2, got " + size);
            }
            ringSize = size;
            return this;
        }

        public ComparePipeline start() {
            if (publishBatch > 1 && (multipleProducers || publishBatch > ringSize / 2)) {
                throw new IllegalArgumentException("a publish batch needs a single producer and at most half the ring");
            }
            return new ComparePipeline(this);
        }
    }
}
