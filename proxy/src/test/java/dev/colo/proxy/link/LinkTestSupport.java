package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

/** Deterministic frames, receivers that check or record, waiting without fixed sleeps, and a leak count. */
final class LinkTestSupport {
    /** Every buffer leak Netty's detector reports (at its strictest level) while these tests run. */
    static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        LEAKS.add(resourceType + records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.add(resourceType);
                    }
                };
            }

            @Override
            @SuppressWarnings("deprecation") // still abstract in Netty 4.2: must be implemented
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return newResourceLeakDetector(resource, samplingInterval);
            }
        });
    }

    private LinkTestSupport() {
    }

    static void installLeakDetector() {
        // the static initializer did it; must run before the first buffer is allocated
    }

    /** Collects garbage and lets the detector look: a leaked buffer is reported now, if ever. */
    static List<String> collectLeaks() throws InterruptedException {
        for (int round = 0; round < 4; round++) {
            System.gc();
            Thread.sleep(30);
            for (int i = 0; i < 100; i++) {
                ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(64);
                b.release();
            }
        }
        return List.copyOf(LEAKS);
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Byte j of frame i of a sequence: a hash, so that a shifted, cut or swapped frame shows. */
    static byte at(long seed, int i, int j) {
        long x = seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + j * 0x94D049BB133111EBL;
        x ^= x >>> 31;
        x *= 0x7FB5D329728EA185L;
        return (byte) (x ^ (x >>> 27));
    }

    /** Sizes of a sequence: random in 14..9000, and every 500th frame the largest the link carries. */
    static int[] sizes(long seed, int count, int maxPayload) {
        Random r = new Random(seed);
        int[] s = new int[count];
        for (int i = 0; i < count; i++) {
            s[i] = i % 500 == 250 ? maxPayload : r.nextInt(14, 9001);
        }
        return s;
    }

    static ByteBuffer fill(ByteBuffer buf, long seed, int i, int size) {
        buf.clear();
        for (int j = 0; j < size; j++) {
            buf.put(at(seed, i, j));
        }
        return buf.flip();
    }

    /** Sends a whole sequence, waiting (never dropping) while the link pushes back. */
    static void sendSequence(FrameLink link, long seed, int[] sizes) {
        ByteBuffer buf = ByteBuffer.allocateDirect(LinkConfig.DEFAULT_MAX_FRAME);
        for (int i = 0; i < sizes.length; i++) {
            fill(buf, seed, i, sizes[i]);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!link.send(buf)) {
                if (!link.isConnected() || System.nanoTime() > deadline) {
                    throw new AssertionError("frame " + i + " not accepted: " + link.describe() + "; " + link.stats());
                }
                LockSupport.parkNanos(50_000);
            }
            if (buf.position() != 0 || buf.limit() != sizes[i]) {
                throw new AssertionError("send moved the caller's buffer");
            }
        }
    }

    static void await(BooleanSupplier done, long millis, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + millis + " ms waiting for " + what.get());
            }
            Thread.sleep(5);
        }
    }

    /** Checks that frames arrive as the sequence (seed, sizes) was sent, byte for byte and in order. */
    static final class SequenceReceiver extends RecordingReceiver {
        private final long seed;
        private final int[] sizes;
        final AtomicInteger received = new AtomicInteger();
        volatile String mismatch;

        SequenceReceiver(long seed, int[] sizes) {
            this.seed = seed;
            this.sizes = sizes;
        }

        @Override
        public void onFrame(ByteBuffer f) {
            int i = received.get();
            if (mismatch == null) {
                mismatch = check(i, f);
            }
            received.incrementAndGet();
        }

        private String check(int i, ByteBuffer f) {
            if (i >= sizes.length) {
                return "frame " + i + " beyond the " + sizes.length + " sent";
            }
            if (f.remaining() != sizes[i]) {
                return "frame " + i + ": " + f.remaining() + " bytes, expected " + sizes[i];
            }
            int p = f.position();
            for (int j = 0; j < sizes[i]; j++) {
                if (f.get(p + j) != at(seed, i, j)) {
                    return "frame " + i + ": byte " + j + " differs";
                }
            }
            return null;
        }

        boolean complete() {
            return received.get() >= sizes.length;
        }
    }

    /** Records link events; keeps copies of the frames it is told to keep. */
    static class RecordingReceiver implements FrameReceiver {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<byte[]> frames = new CopyOnWriteArrayList<>();
        /** Set to echo each frame back on this link. */
        volatile FrameLink echo;
        final AtomicInteger echoRefused = new AtomicInteger();

        @Override
        public void onFrame(ByteBuffer frame) {
            if (echo != null) {
                if (!echo.send(frame)) {
                    echoRefused.incrementAndGet();
                }
                return;
            }
            byte[] copy = new byte[frame.remaining()];
            frame.duplicate().get(copy);
            frames.add(copy);
        }

        @Override
        public void onLinkUp(String peer) {
            events.add("up " + peer);
        }

        @Override
        public void onLinkDown(String reason) {
            events.add("down " + reason);
        }

        long downs() {
            return events.stream().filter(e -> e.startsWith("down ")).count();
        }

        String lastDown() {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i).startsWith("down ")) {
                    return events.get(i).substring(5);
                }
            }
            return null;
        }
    }
}
