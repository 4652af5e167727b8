package dev.colo.cli.lab;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a comparator (QEMU's colo-compare, or {@code colo compare}) over its three sockets in QEMU's
 * socket format ({@code [u32 BE length][u32 BE vnet_hdr_len if vnetHdr][frame]}) at full rate and checks
 * what it releases.
 *
 * <p>The same {@code frames} frames ({@link CompareFeederFrames}: several TCP and UDP flows, unique
 * payloads) go to primary-in and to secondary-in, in batches of {@code batchFrames} per write. One
 * writer thread serves both inputs through a non-blocking {@link Selector}: each round it writes one
 * batch to each side whose socket takes it, alternating which side goes first, so a comparator that
 * stops reading one input (back-pressure) never stops the feeder writing the other. With a lead, one
 * side starts only once the other has written that many frames. The calling thread reads outdev (as
 * fast as it can, or paced to a byte rate, or pausing between reads), parses the framing and checks
 * every frame: each primary frame exactly once, in order per flow, byte for byte what the primary sent,
 * and nothing else. The run stops when every frame arrived (and {@code settle} passed), when no frame
 * arrived for {@code idleTimeout}, or when the comparator closes outdev; every socket is closed then.
 *
 * <pre>{@code
 * CompareFeederResult r = CompareFeeder.builder()
 *         .primaryIn(CompareFeeder.Link.connect("127.0.0.1", p1))
 *         .secondaryIn(CompareFeeder.Link.connect("127.0.0.1", p2))
 *         .outdev(CompareFeeder.Link.connect("127.0.0.1", p3))
 *         .frames(1_000_000).frameSize(1514)
 *         .build().run();
 * assert r.ok() : r;
 * }</pre>
 *
 * For listen links, {@link #listen()} binds them first (port 0 picks a free port, see
 * {@link #boundAddress(Role)}) so the comparator can be started with connect links. {@link #connect()}
 * sets up all three sockets (retrying connects and waiting for accepts until {@code connectTimeout}),
 * so a caller can measure from the moment the links are up; {@link #run()} does it if not done. A
 * feeder runs once.
 */
public final class CompareFeeder implements AutoCloseable {
    /** A leading side whose writes have not moved for this long has gone as far ahead as the comparator lets it. */
    private static final long LEAD_STALL_NANOS = 500_000_000L;
    /** The comparator's three sockets. */
    public enum Role {
        PRIMARY_IN, SECONDARY_IN, OUTDEV
    }

    /** One end, as the feeder sees it: listen (the comparator connects) or connect (it listens). */
    public record Link(boolean listen, InetSocketAddress address) {
        public Link {
            Objects.requireNonNull(address, "address");
        }

        public static Link listen(String host, int port) {
            return new Link(true, new InetSocketAddress(host, port));
        }

        public static Link connect(String host, int port) {
            return new Link(false, new InetSocketAddress(host, port));
        }

        /** {@code listen:HOST:PORT} or {@code connect:HOST:PORT} (IPv6 in brackets). */
        public static Link parse(String spec) {
            boolean listen = spec.startsWith("listen:");
            if (!listen && !spec.startsWith("connect:")) {
                throw new IllegalArgumentException("a link is listen:HOST:PORT or connect:HOST:PORT, got '" + spec + "'");
            }
            String hp = spec.substring(spec.indexOf(':') + 1);
            int colon = hp.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("no port in '" + spec + "'");
            }
            String host = hp.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Link(listen, new InetSocketAddress(host, Integer.parseInt(hp.substring(colon + 1))));
        }

        @Override
        public String toString() {
            return (listen ? "listen:" : "connect:") + address.getHostString() + ":" + address.getPort();
        }
    }

    /** How many problems of each kind (duplicate, reorder, corruption, unknown, missing) the result describes. */
    static final int MAX_PROBLEMS_PER_KIND = 5;
    private static final int READ_BUFFER = 4 << 20;

    public static Builder builder() {
        return new Builder();
    }

    /** Settings; every one has a default except the three links. */
    public static final class Builder {
        private Link primaryIn;
        private Link secondaryIn;
        private Link outdev;
        private long frames = 100_000;
        private int flows = 8;
        private int udpFlows = -1;
        private int minSize = 1514;
        private int maxSize = 1514;
        private int batchFrames = 64;
        private long primaryLead;
        private long secondaryLead;
        private long outdevBytesPerSecond;
        private Duration outdevReadPause = Duration.ZERO;
        private Duration idleTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration settle = Duration.ZERO;
        private boolean vnetHdr;
        private boolean distinctIpIds = true;
        private boolean verifyBytes = true;
        private long seed = 20261122L;

        private Builder() {
        }

        public Builder primaryIn(Link link) {
            primaryIn = link;
            return this;
        }

        public Builder secondaryIn(Link link) {
            secondaryIn = link;
            return this;
        }

        public Builder outdev(Link link) {
            outdev = link;
            return this;
        }

        /** Frames per side (default 100,000; at most 2^31 - 1). */
        public Builder frames(long n) {
            frames = n;
            return this;
        }

        /** Flows (default 8); frame i belongs to flow i % flows. */
        public Builder flows(int n) {
            flows = n;
            return this;
        }

        /** How many of the flows are UDP, the rest TCP (default a quarter of them). */
        public Builder udpFlows(int n) {
            udpFlows = n;
            return this;
        }

        /** Every frame this long, Ethernet header included, no FCS (default 1514; 60..9014). */
        public Builder frameSize(int bytes) {
            minSize = bytes;
            maxSize = bytes;
            return this;
        }

        /** A mix of sizes in [min, max] (each flow cycles through 32 seeded sizes). */
        public Builder frameSizes(int min, int max) {
            minSize = min;
            maxSize = max;
            return this;
        }

        /** Frames per write (default 64). */
        public Builder batchFrames(int n) {
            batchFrames = n;
            return this;
        }

        /** The secondary starts only once the primary has written {@code k} frames (default 0). */
        public Builder primaryLead(long k) {
            primaryLead = k;
            secondaryLead = 0;
            return this;
        }

        /** The primary starts only once the secondary has written {@code k} frames (default 0). */
        public Builder secondaryLead(long k) {
            secondaryLead = k;
            primaryLead = 0;
            return this;
        }

        /** Read outdev at most this many bytes per second (0, the default: as fast as it comes). */
        public Builder outdevBytesPerSecond(long rate) {
            outdevBytesPerSecond = rate;
            return this;
        }

        /** Sleep this long after every read of outdev (default 0). */
        public Builder outdevReadPause(Duration pause) {
            outdevReadPause = pause;
            return this;
        }

        /** Stop when no frame arrived for this long (default 10 s). */
        public Builder idleTimeout(Duration d) {
            idleTimeout = d;
            return this;
        }

        /** How long {@link #connect()} retries connects and waits for accepts (default 30 s). */
        public Builder connectTimeout(Duration d) {
            connectTimeout = d;
            return this;
        }

        /** After the last frame arrived, keep reading this long for late duplicates (default 0). */
        public Builder settle(Duration d) {
            settle = d;
            return this;
        }

        /** Every link carries vnet_hdr_len (written as 0, and skipped on outdev). */
        public Builder vnetHdr(boolean on) {
            vnetHdr = on;
            return this;
        }

        /** The secondary's IP IDs differ from the primary's (default true; false: byte-identical twins). */
        public Builder distinctIpIds(boolean on) {
            distinctIpIds = on;
            return this;
        }

        /** Compare every released frame byte for byte with the one sent (default true). */
        public Builder verifyBytes(boolean on) {
            verifyBytes = on;
            return this;
        }

        /** Seeds the ISNs, filler bytes and size mix (default fixed). */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public CompareFeeder build() {
            Objects.requireNonNull(primaryIn, "primaryIn");
            Objects.requireNonNull(secondaryIn, "secondaryIn");
            Objects.requireNonNull(outdev, "outdev");
            if (frames < 1 || frames > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("frames must be 1.." + Integer.MAX_VALUE + ", got " + frames);
            }
            if (batchFrames < 1) {
                throw new IllegalArgumentException("batchFrames must be >= 1");
            }
            if (primaryLead < 0 || secondaryLead < 0 || outdevBytesPerSecond < 0) {
                throw new IllegalArgumentException("leads and the read rate must be >= 0");
            }
            return new CompareFeeder(this);
        }
    }

    private final Builder cfg;
    private final CompareFeederFrames gen;
    private final int headerLen;
    private final ServerSocketChannel[] servers = new ServerSocketChannel[3];
    private final SocketChannel[] channels = new SocketChannel[3];
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stop;
    private volatile Selector writerSelector;
    private boolean ran;

    private CompareFeeder(Builder b) {
        cfg = b;
        int udp = b.udpFlows >= 0 ? b.udpFlows : b.flows / 4;
        gen = new CompareFeederFrames(b.flows, udp, b.minSize, b.maxSize, b.distinctIpIds, b.seed);
        headerLen = b.vnetHdr ? 8 : 4;
    }

    /** The frames this feeder sends (to rebuild one, or read a stamp). */
    public CompareFeederFrames frames() {
        return gen;
    }

    private Link link(Role r) {
        return switch (r) {
            case PRIMARY_IN -> cfg.primaryIn;
            case SECONDARY_IN -> cfg.secondaryIn;
            case OUTDEV -> cfg.outdev;
        };
    }

    /** Binds the listen links (idempotent). */
    public synchronized CompareFeeder listen() throws IOException {
        try {
            for (Role r : Role.values()) {
                Link l = link(r);
                if (l.listen() && servers[r.ordinal()] == null) {
                    ServerSocketChannel s = ServerSocketChannel.open();
                    servers[r.ordinal()] = s;
                    s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    s.bind(l.address());
                    s.configureBlocking(false);
                }
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        return this;
    }

    /** Where a listen link is bound (after {@link #listen()}); the link's own address for connect links. */
    public synchronized InetSocketAddress boundAddress(Role r) throws IOException {
        ServerSocketChannel s = servers[r.ordinal()];
        return s == null ? link(r).address() : (InetSocketAddress) s.getLocalAddress();
    }

    /**
     * Sets up the three sockets: outdev first, then primary-in and secondary-in. Connects are retried
     * until {@code connectTimeout} (the comparator may still be starting); listen links wait that long
     * for the comparator to connect.
     */
    public synchronized CompareFeeder connect() throws IOException {
        listen();
        long deadline = System.nanoTime() + cfg.connectTimeout.toNanos();
        try {
            for (Role r : new Role[] {Role.OUTDEV, Role.PRIMARY_IN, Role.SECONDARY_IN}) {
                if (channels[r.ordinal()] == null) {
                    SocketChannel c = link(r).listen() ? accept(r, deadline) : connect(r, deadline);
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    c.configureBlocking(false);
                    channels[r.ordinal()] = c;
                }
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        return this;
    }

    private SocketChannel accept(Role r, long deadline) throws IOException {
        ServerSocketChannel s = servers[r.ordinal()];
        while (true) {
            SocketChannel c = s.accept();
            if (c != null) {
                return c;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(r + ": nobody connected to " + s.getLocalAddress() + " within " + cfg.connectTimeout);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    private SocketChannel connect(Role r, long deadline) throws IOException {
        InetSocketAddress a = link(r).address();
        while (true) {
            SocketChannel c = SocketChannel.open();
            try {
                c.connect(a);
                return c;
            } catch (ConnectException e) {
                c.close();
                if (System.nanoTime() > deadline) {
                    throw new IOException(r + ": cannot connect to " + a + " within " + cfg.connectTimeout + ": " + e.getMessage(), e);
                }
                LockSupport.parkNanos(20_000_000);
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    /** Feeds, reads and checks; closes every socket before it returns, also when it throws. */
    public CompareFeederResult run() throws IOException {
        synchronized (this) {
            if (ran) {
                throw new IllegalStateException("a CompareFeeder runs once");
            }
            ran = true;
        }
        Thread writer = null;
        Side[] sides = null;
        try {
            connect();
            sides = new Side[] {new Side(true, channels[Role.PRIMARY_IN.ordinal()]), new Side(false, channels[Role.SECONDARY_IN.ordinal()])};
            sides[0].other = sides[1];
            sides[1].other = sides[0];
            sides[0].waitFor = cfg.secondaryLead;
            sides[1].waitFor = cfg.primaryLead;
            writerSelector = Selector.open();
            Receiver receiver = new Receiver();
            long start = System.nanoTime();
            Side[] writing = sides;
            writer = new Thread(() -> write(writing), "compare-feeder-writer");
            writer.setDaemon(true);
            writer.start();
            String reason = receiver.read(start);
            long runNanos = System.nanoTime() - start;
            stopWriter(writer);
            writer = null;
            return receiver.result(reason, runNanos, sides[0].sentFrames(), sides[1].sentFrames());
        } finally {
            if (writer != null) {
                stopWriter(writer);
            }
            close();
        }
    }

    private void stopWriter(Thread writer) {
        stop = true;
        Selector s = writerSelector;
        if (s != null) {
            s.wakeup();
        }
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            errors.add("the writer thread did not stop within 5 s");
        }
    }

    /** Closes every socket (idempotent). */
    @Override
    public synchronized void close() {
        stop = true;
        for (int k = 0; k < 3; k++) {
            closeQuietly(channels[k]);
            closeQuietly(servers[k]);
        }
        Selector s = writerSelector;
        if (s != null) {
            s.wakeup();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** One input's writer state; touched by the writer thread only (read after it stopped). */
    private final class Side {
        final boolean primary;
        final SocketChannel channel;
        final ByteBuffer batch;
        final int[] ends;
        int count;
        long next;
        long sent;
        boolean done;
        boolean started;
        long waitFor;
        /** When this side's socket last took bytes (writer thread): a lead ends when the leader can write no more. */
        long lastProgress = System.nanoTime();
        Side other;

        Side(boolean primary, SocketChannel channel) {
            this.primary = primary;
            this.channel = channel;
            this.batch = ByteBuffer.allocateDirect(cfg.batchFrames * (headerLen + gen.maxFrameSize()));
            this.batch.limit(0);
            this.ends = new int[cfg.batchFrames];
        }

        String name() {
            return primary ? "primary-in" : "secondary-in";
        }

        boolean mayWrite() {
            if (!started) {
                // The leader's comparator may stop reading it before the lead is reached (back-pressure): then
                // the follower starts anyway, as a lagging replica would catch up.
                started = waitFor == 0 || other.sent >= waitFor || other.done
                        || System.nanoTime() - other.lastProgress > LEAD_STALL_NANOS;
            }
            return started;
        }

        /** Builds the next batch; false when every frame was written. */
        boolean fill() {
            if (next >= cfg.frames) {
                return false;
            }
            int at = 0;
            count = 0;
            ByteBuffer b = batch;
            b.clear();
            while (count < ends.length && next < cfg.frames) {
                int len = gen.write(next, primary, b, at + headerLen);
                b.putInt(at, len);
                if (headerLen == 8) {
                    b.putInt(at + 4, 0);
                }
                at += headerLen + len;
                ends[count++] = at;
                next++;
            }
            b.position(0).limit(at);
            return true;
        }

        /** Frames wholly written, a partly written batch counted to its last whole frame. */
        long sentFrames() {
            long n = sent;
            for (int k = 0; k < count; k++) {
                if (ends[k] <= batch.position()) {
                    n++;
                }
            }
            return n;
        }
    }

    private void write(Side[] sides) {
        Selector selector = writerSelector;
        try {
            SelectionKey[] keys = new SelectionKey[2];
            for (int k = 0; k < 2; k++) {
                keys[k] = sides[k].channel.register(selector, 0, sides[k]);
            }
            int first = 0;
            while (!stop) {
                boolean progress = false;
                boolean active = false;
                for (int k = 0; k < 2; k++) {
                    Side s = sides[(first + k) & 1];
                    if (s.done || !s.mayWrite()) {
                        active |= !s.done;
                        continue;
                    }
                    if (!s.batch.hasRemaining() && !s.fill()) {
                        s.done = true;
                        continue;
                    }
                    active = true;
                    try {
                        if (s.channel.write(s.batch) > 0) {
                            progress = true;
                            s.lastProgress = System.nanoTime();
                        }
                    } catch (IOException e) {
                        errors.add(s.name() + ": " + e);
                        s.done = true;
                        continue;
                    }
                    if (!s.batch.hasRemaining()) {
                        s.sent += s.count;
                        s.count = 0;
                    }
                }
                first ^= 1;
                if (!active) {
                    return;
                }
                if (!progress) {
                    for (int k = 0; k < 2; k++) {
                        Side s = sides[k];
                        boolean blocked = !s.done && s.started && s.batch.hasRemaining();
                        keys[k].interestOps(blocked ? SelectionKey.OP_WRITE : 0);
                    }
                    selector.select(100);
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stop) {
                errors.add("writer: " + e);
            }
        } finally {
            closeQuietly(selector);
        }
    }

    /** Reads outdev on the calling thread and checks every frame. */
    private final class Receiver {
        final long frames = cfg.frames;
        final long[] seen = new long[(int) ((frames + 63) >>> 6)];
        final long[] lastOfFlow = new long[gen.flows()];
        final ByteBuffer expected = ByteBuffer.allocate(gen.maxFrameSize());
        final List<String> problems = new ArrayList<>();
        long received;
        long distinct;
        long duplicates;
        long reordered;
        long corrupted;
        long unknown;
        long bytes;
        long first = -1;
        long last = -1;

        Receiver() {
            Arrays.fill(lastOfFlow, -1);
        }

        String read(long start) throws IOException {
            SocketChannel ch = channels[Role.OUTDEV.ordinal()];
            ByteBuffer in = ByteBuffer.allocate(READ_BUFFER);
            byte[] a = in.array();
            long rate = cfg.outdevBytesPerSecond;
            int chunk = rate == 0 ? READ_BUFFER : (int) Math.max(4096, Math.min(READ_BUFFER / 2, rate / 50));
            long pauseNanos = cfg.outdevReadPause.toNanos();
            long idleNanos = cfg.idleTimeout.toNanos();
            long settleNanos = cfg.settle.toNanos();
            long lastArrival = start;
            long completeAt = -1;
            long readBytes = 0;
            try (Selector selector = Selector.open()) {
                ch.register(selector, SelectionKey.OP_READ);
                while (true) {
                    long now = System.nanoTime();
                    if (completeAt >= 0 && now - completeAt >= settleNanos) {
                        return "all frames arrived";
                    }
                    if (now - lastArrival >= idleNanos) {
                        return "no frame for " + cfg.idleTimeout.toMillis() + " ms";
                    }
                    in.limit(Math.min(in.capacity(), in.position() + chunk));
                    int n;
                    try {
                        n = ch.read(in);
                    } catch (IOException e) {
                        errors.add("outdev: " + e);
                        return "outdev failed";
                    }
                    if (n < 0) {
                        return "outdev closed by the comparator";
                    }
                    if (n == 0) {
                        long wait = Math.min(idleNanos - (now - lastArrival), completeAt >= 0 ? settleNanos - (now - completeAt) : Long.MAX_VALUE);
                        selector.select(Math.max(1, Math.min(100, wait / 1_000_000)));
                        selector.selectedKeys().clear();
                        continue;
                    }
                    now = System.nanoTime();
                    lastArrival = now;
                    in.flip();
                    int p = in.position();
                    int end = in.limit();
                    while (end - p >= headerLen) {
                        int len = in.getInt(p);
                        if (len < 0 || len > READ_BUFFER / 2) {
                            errors.add("outdev: a frame length of " + Integer.toUnsignedString(len) + " after " + received + " frames");
                            return "outdev stream broken";
                        }
                        if (end - p < headerLen + len) {
                            break;
                        }
                        check(a, p + headerLen, len, now - start);
                        p += headerLen + len;
                    }
                    in.position(p);
                    in.compact();
                    if (completeAt < 0 && distinct == frames) {
                        completeAt = now;
                    }
                    if (rate > 0) {
                        readBytes += n;
                        long due = start + (long) (readBytes * 1e9 / rate);
                        long ahead = due - System.nanoTime();
                        if (ahead > 0) {
                            LockSupport.parkNanos(ahead);
                        }
                    }
                    if (pauseNanos > 0) {
                        LockSupport.parkNanos(pauseNanos);
                    }
                }
            }
        }

        void check(byte[] a, int off, int len, long at) {
            received++;
            bytes += len;
            if (first < 0) {
                first = at;
            }
            last = at;
            long index = gen.indexOf(a, off, len);
            if (index < 0 || index >= frames) {
                unknown++;
                problem(unknown, "unknown frame #" + received + " (" + len + " bytes" + (index >= 0 ? ", stamp index " + index : "") + ")");
                return;
            }
            int word = (int) (index >>> 6);
            long bit = 1L << (index & 63);
            if ((seen[word] & bit) != 0) {
                duplicates++;
                problem(duplicates, "duplicate of frame " + index + " (frame #" + received + " received)");
                return;
            }
            seen[word] |= bit;
            distinct++;
            int flow = (int) (index % lastOfFlow.length);
            long j = index / lastOfFlow.length;
            if (j < lastOfFlow[flow]) {
                reordered++;
                problem(reordered, "frame " + index + " arrived after frame " + (lastOfFlow[flow] * lastOfFlow.length + flow) + " of its flow");
            } else {
                lastOfFlow[flow] = j;
            }
            if (cfg.verifyBytes) {
                int elen = gen.write(index, true, expected, 0);
                if (elen != len || !Arrays.equals(a, off, off + len, expected.array(), 0, len)) {
                    corrupted++;
                    int at2 = elen != len ? -1 : Arrays.mismatch(a, off, off + len, expected.array(), 0, len);
                    problem(corrupted, "frame " + index + " corrupted: " + (elen != len ? len + " bytes instead of " + elen : "first difference at byte " + at2));
                }
            }
        }

        /** @param count how many of this kind so far, this one included */
        void problem(long count, String p) {
            if (count <= MAX_PROBLEMS_PER_KIND) {
                problems.add(p);
            }
        }

        CompareFeederResult result(String reason, long runNanos, long primarySent, long secondarySent) {
            long[] missingPerFlow = new long[lastOfFlow.length];
            long missing = 0;
            for (int w = 0; w < seen.length && distinct < frames; w++) {
                long holes = ~seen[w];
                while (holes != 0) {
                    long index = ((long) w << 6) + Long.numberOfTrailingZeros(holes);
                    if (index >= frames) {
                        break;
                    }
                    problem(++missing, "frame " + index + " missing");
                    missingPerFlow[(int) (index % missingPerFlow.length)]++;
                    holes &= holes - 1;
                }
            }
            List<String> errs;
            synchronized (errors) {
                errs = List.copyOf(errors);
            }
            return new CompareFeederResult(frames, primarySent, secondarySent, received, distinct, frames - distinct, duplicates,
                    reordered, corrupted, unknown, bytes, first, last, runNanos, distinct == frames, reason, List.copyOf(problems),
                    Arrays.stream(missingPerFlow).boxed().toList(), errs);
        }
    }
}
