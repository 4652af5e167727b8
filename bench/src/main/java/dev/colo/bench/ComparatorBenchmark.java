package dev.colo.bench;

import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.OutputComparator;
import dev.colo.compare.Side;
import dev.colo.compare.packet.Bytes;
import dev.colo.compare.packet.EthernetFlyweight;
import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.packet.TcpFlyweight;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Nanoseconds per frame through {@link FrameDecoder#decode} + {@link OutputComparator#onFrame}, one thread,
 * no pipeline: the comparator's own cost (including copying the frame into its store, comparing the bytes,
 * and handing the released primary frame to a listener that only counts).
 *
 * <p>Each invocation feeds a pre-built batch of frames, primary and secondary interleaved as twins would
 * arrive, and results are per frame ({@link OperationsPerInvocation}); a pair of twins costs twice that.
 * TCP batches are reused with their sequence numbers advanced: the op rewrites each frame's 4-byte
 * sequence field before decoding it (the checksum goes stale, which nothing on this path checks), so
 * the streams run on forever and every frame is new data at a new position.
 *
 * <ul>
 *   <li>{@code tcpSameSegments}: 16 connections, 1448-byte segments on both sides: P, S, P, S...</li>
 *   <li>{@code tcpResegmented}: the secondary sends 2896-byte segments (one per two primary segments):
 *       P, P, S...; secondary frames go to the store's large slots.</li>
 *   <li>{@code udpSmall}: 16 flows of 64-byte datagrams, P, S, P, S...</li>
 * </ul>
 * A teardown check fails the run if anything diverged or was not released.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ComparatorBenchmark {
    static final int CONNECTIONS = 16;
    static final int MSS = 1448;
    /** Primary segments per connection per batch (even, so 2896-byte secondary segments tile the batch). */
    static final int SEGMENTS = 8;
    static final int PRIMARY_FRAMES = CONNECTIONS * SEGMENTS;
    static final int SAME_SEGMENTS_FRAMES = 2 * PRIMARY_FRAMES;
    static final int RESEGMENTED_FRAMES = PRIMARY_FRAMES + PRIMARY_FRAMES / 2;
    static final int UDP_PAYLOAD = 64;
    static final int UDP_FRAMES = 256;
    /** Where the TCP sequence number sits in an untagged IPv4 frame without IP options. */
    static final int SEQ_AT = EthernetFlyweight.HEADER_LENGTH + 20 + TcpFlyweight.SEQ_OFFSET;
    /** Virtual time between frames: one twin pair per microsecond. */
    static final long FRAME_NANOS = 500;

    static final int SERVER = FrameBuilder.ipv4(10, 0, 0, 1);

    static int client(int c) {
        return FrameBuilder.ipv4(10, 0, 1, 1 + c);
    }

    /** Counts releases; touches the released bytes' length so the call is not free. */
    static final class CountingListener implements DecisionListener {
        long released;
        long releasedBytes;

        @Override
        public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            released++;
            releasedBytes += length;
        }
    }

    /** A comparator fed by a reusable batch of frames. */
    abstract static class Feed {
        final FrameDecoder decoder = new FrameDecoder();
        final FrameInfo info = new FrameInfo();
        final CountingListener listener = new CountingListener();
        final FrameBuilder builder = new FrameBuilder();
        OutputComparator comparator;
        byte[][] frames;
        int[] lengths;
        int[] sides;
        long clock = BulkTcpPair.START_NANOS;

        void newComparator() {
            comparator = new OutputComparator(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED),
                    CheckpointGate.immediate(), listener);
        }

        void allocate(int n) {
            frames = new byte[n][];
            lengths = new int[n];
            sides = new int[n];
        }

        void feed(int side, byte[] frame, int length) {
            clock += FRAME_NANOS;
            decoder.decode(frame, 0, length, info);
            comparator.onFrame(side, clock, frame, 0, length, info);
        }

        void check() {
            CompareStats s = comparator.stats();
            long primary = s.get(CompareStats.FRAMES_PRIMARY);
            if (s.totalDivergences() != 0 || s.get(CompareStats.LOST) != 0) {
                throw new IllegalStateException("benchmark traffic diverged: " + s.totalDivergences()
                        + " divergences, " + s.get(CompareStats.LOST) + " lost");
            }
            // Only the last batch's tail may still wait for its twin.
            if (primary - listener.released > PRIMARY_FRAMES || comparator.heldFrames() > 2 * PRIMARY_FRAMES) {
                throw new IllegalStateException("frames are not being released: " + primary + " primary frames in, "
                        + listener.released + " released, " + comparator.heldFrames() + " held");
            }
        }
    }

    /** TCP: 16 connections past their SYN-ACKs; the batch carries SEGMENTS primary segments of each. */
    abstract static class TcpFeed extends Feed {
        /** Per frame: that side's ISN + 1 + the frame's offset in the batch; the op adds the batch's offset. */
        int[] seqInBatch;
        long streamOffset;

        void init(int secondarySegment) {
            newComparator();
            SplittableRandom rnd = new SplittableRandom(42);
            int[] ack = new int[CONNECTIONS];
            int[] isnP = new int[CONNECTIONS];
            int[] isnS = new int[CONNECTIONS];
            byte[] buf = new byte[4096];
            byte[] none = new byte[0];
            for (int c = 0; c < CONNECTIONS; c++) {
                ack[c] = rnd.nextInt();
                isnP[c] = rnd.nextInt();
                isnS[c] = rnd.nextInt();
                int flags = TcpFlyweight.SYN | TcpFlyweight.ACK;
                feed(Side.P, buf, builder.tcp4(buf, 0, SERVER, client(c), 5201, 40000 + c, isnP[c], ack[c], flags, none, 0, 0));
                feed(Side.S, buf, builder.tcp4(buf, 0, SERVER, client(c), 5201, 40000 + c, isnS[c], ack[c], flags, none, 0, 0));
            }
            // The bytes each connection sends in one batch, the same on both sides.
            byte[][] data = new byte[CONNECTIONS][SEGMENTS * MSS];
            for (byte[] d : data) {
                rnd.nextBytes(d);
            }
            int perSecondary = secondarySegment / MSS;
            int n = PRIMARY_FRAMES + PRIMARY_FRAMES / perSecondary;
            allocate(n);
            seqInBatch = new int[n];
            int i = 0;
            int flags = TcpFlyweight.ACK | TcpFlyweight.PSH;
            for (int k = 0; k < SEGMENTS; k++) {
                for (int c = 0; c < CONNECTIONS; c++) {
                    int off = k * MSS;
                    i = add(i, Side.P, isnP[c] + 1 + off,
                            builder.tcp4(buf, 0, SERVER, client(c), 5201, 40000 + c, isnP[c] + 1 + off, ack[c], flags,
                                    data[c], off, MSS), buf);
                    if ((k + 1) % perSecondary == 0) {
                        int sOff = (k + 1 - perSecondary) * MSS;
                        i = add(i, Side.S, isnS[c] + 1 + sOff,
                                builder.tcp4(buf, 0, SERVER, client(c), 5201, 40000 + c, isnS[c] + 1 + sOff, ack[c], flags,
                                        data[c], sOff, secondarySegment), buf);
                    }
                }
            }
            if (i != n) {
                throw new IllegalStateException("built " + i + " frames, expected " + n);
            }
        }

        private int add(int i, int side, int seq, int length, byte[] buf) {
            frames[i] = java.util.Arrays.copyOf(buf, length);
            lengths[i] = length;
            sides[i] = side;
            seqInBatch[i] = seq;
            return i + 1;
        }

        int run() {
            int advance = (int) streamOffset;
            byte[][] f = frames;
            for (int i = 0; i < f.length; i++) {
                Bytes.putI32(f[i], SEQ_AT, seqInBatch[i] + advance);
                feed(sides[i], f[i], lengths[i]);
            }
            streamOffset += SEGMENTS * MSS;
            return comparator.heldFrames();
        }
    }

    @State(Scope.Thread)
    public static class SameSegments extends TcpFeed {
        @Setup(Level.Trial)
        public void setUp() {
            init(MSS);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check();
        }
    }

    @State(Scope.Thread)
    public static class Resegmented extends TcpFeed {
        @Setup(Level.Trial)
        public void setUp() {
            init(2 * MSS);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check();
        }
    }

    /** UDP: 16 flows of small datagrams, random but identical payloads, different IP IDs per side. */
    @State(Scope.Thread)
    public static class SmallDatagrams extends Feed {
        @Setup(Level.Trial)
        public void setUp() {
            newComparator();
            SplittableRandom rnd = new SplittableRandom(7);
            allocate(UDP_FRAMES);
            byte[] buf = new byte[256];
            byte[] payload = new byte[UDP_PAYLOAD];
            for (int i = 0; i < UDP_FRAMES; i += 2) {
                int flow = (i / 2) % CONNECTIONS;
                rnd.nextBytes(payload);
                for (int side = Side.P; side <= Side.S; side++) {
                    int len = builder.ipId(rnd.nextInt(0x10000))
                            .udp4(buf, 0, SERVER, client(flow), 53, 30000 + flow, payload, 0, UDP_PAYLOAD);
                    frames[i + side] = java.util.Arrays.copyOf(buf, len);
                    lengths[i + side] = len;
                    sides[i + side] = side;
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check();
        }

        int run() {
            byte[][] f = frames;
            for (int i = 0; i < f.length; i++) {
                feed(sides[i], f[i], lengths[i]);
            }
            return comparator.heldFrames();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SAME_SEGMENTS_FRAMES)
    public int tcpSameSegments(SameSegments s) {
        return s.run();
    }

    @Benchmark
    @OperationsPerInvocation(RESEGMENTED_FRAMES)
    public int tcpResegmented(Resegmented s) {
        return s.run();
    }

    @Benchmark
    @OperationsPerInvocation(UDP_FRAMES)
    public int udpSmall(SmallDatagrams s) {
        return s.run();
    }
}
