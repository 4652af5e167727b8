package dev.colo.cli.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The feeder against a trivial relay (plain sockets, QEMU's framing) that copies primary-in to outdev
 * and reads and discards secondary-in: everything arrives and is verified; and when the relay drops,
 * duplicates, corrupts, reorders and invents one frame each, the feeder reports exactly those.
 */
@Timeout(120)
class CompareFeederTest {

    /** What the relay does to the primary's k-th frame (0-based, in stream order) on its way to outdev. */
    interface Mangle {
        void forward(long k, byte[] frame, DataOutputStream out) throws IOException;
    }

    /** A stand-in comparator on three loopback sockets; closes outdev once {@code frames} primary frames went through. */
    static final class Relay implements AutoCloseable {
        final List<Socket> sockets = new ArrayList<>();
        final List<ServerSocket> servers = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile long secondaryFrames;

        /** Listens on three free ports: primary-in, secondary-in, outdev. */
        static Relay listening(long frames, Mangle mangle) throws IOException {
            Relay r = new Relay();
            for (int k = 0; k < 3; k++) {
                ServerSocket s = new ServerSocket();
                r.servers.add(s);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
            }
            r.start(() -> {
                Socket p = r.keep(r.servers.get(0).accept());
                Socket s = r.keep(r.servers.get(1).accept());
                Socket o = r.keep(r.servers.get(2).accept());
                r.pump(p, s, o, frames, mangle);
            });
            return r;
        }

        /** Connects to a feeder that listens. */
        static Relay connecting(InetSocketAddress p, InetSocketAddress s, InetSocketAddress o, long frames, Mangle mangle) {
            Relay r = new Relay();
            r.start(() -> {
                Socket out = r.keep(new Socket(o.getAddress(), o.getPort()));
                Socket pin = r.keep(new Socket(p.getAddress(), p.getPort()));
                Socket sin = r.keep(new Socket(s.getAddress(), s.getPort()));
                r.pump(pin, sin, out, frames, mangle);
            });
            return r;
        }

        int port(int k) {
            return servers.get(k).getLocalPort();
        }

        synchronized Socket keep(Socket s) {
            sockets.add(s);
            return s;
        }

        interface Body {
            void run() throws Exception;
        }

        void start(Body body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "relay");
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }

        void pump(Socket p, Socket s, Socket o, long frames, Mangle mangle) throws IOException {
            start(() -> {
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
                try {
                    while (true) {
                        in.skipNBytes(in.readInt());
                        secondaryFrames++;
                    }
                } catch (EOFException | java.net.SocketException end) {
                    // the feeder closed its end
                }
            });
            DataInputStream in = new DataInputStream(new BufferedInputStream(p.getInputStream(), 1 << 16));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(o.getOutputStream(), 1 << 16));
            for (long k = 0; k < frames; k++) {
                byte[] f = new byte[in.readInt()];
                in.readFully(f);
                mangle.forward(k, f, out);
            }
            out.flush();
            o.close();
        }

        static void send(byte[] frame, DataOutputStream out) throws IOException {
            out.writeInt(frame.length);
            out.write(frame);
        }

        @Override
        public synchronized void close() throws Exception {
            for (Socket s : sockets) {
                s.close();
            }
            for (ServerSocket s : servers) {
                s.close();
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }

    private static CompareFeeder.Builder feederFor(Relay r) {
        return CompareFeeder.builder()
                .primaryIn(CompareFeeder.Link.connect("127.0.0.1", r.port(0)))
                .secondaryIn(CompareFeeder.Link.connect("127.0.0.1", r.port(1)))
                .outdev(CompareFeeder.Link.connect("127.0.0.1", r.port(2)))
                .connectTimeout(Duration.ofSeconds(10));
    }

    @Test
    void everyFrameOfAFaithfulRelayArrivesOnceInOrderUnchanged() throws Exception {
        long n = 100_000;
        try (Relay relay = Relay.listening(n, (k, f, out) -> Relay.send(f, out))) {
            CompareFeederResult r = feederFor(relay).frames(n).frameSizes(60, 1514).build().run();
            assertEquals(null, relay.failure.get(), "relay");
            assertTrue(r.ok(), r.toString());
            assertEquals(n, r.primarySent(), r.toString());
            assertEquals(n, r.secondarySent(), r.toString());
            assertEquals(n, r.received(), r.toString());
            assertEquals(n, r.distinct(), r.toString());
            assertEquals(0, r.missing() + r.duplicates() + r.reordered() + r.corrupted() + r.unknown(), r.toString());
            assertEquals("all frames arrived", r.stopReason());
            assertTrue(r.errors().isEmpty(), r.toString());
        }
    }

    @Test
    void aDropADuplicateACorruptionAReorderAndAnInventedFrameAreEachCountedOnce() throws Exception {
        long n = 20_000;
        Mangle mangle = new Mangle() {
            byte[] held;

            @Override
            public void forward(long k, byte[] f, DataOutputStream out) throws IOException {
                if (k == 1000) {
                    return; // dropped
                }
                if (k == 2000) {
                    Relay.send(f, out); // and again below
                }
                if (k == 3000) {
                    f[f.length - 1] ^= 0x40;
                }
                if (k == 4000) {
                    held = f; // overtaken by 4008, the next frame of its flow (8 flows)
                    return;
                }
                Relay.send(f, out);
                if (k == 4008) {
                    Relay.send(held, out);
                }
                if (k == 5000) {
                    Relay.send(new byte[60], out); // no frame the feeder sent
                }
            }
        };
        try (Relay relay = Relay.listening(n, mangle)) {
            CompareFeederResult r = feederFor(relay).frames(n).frameSize(118).flows(8).build().run();
            assertEquals(null, relay.failure.get(), "relay");
            assertFalse(r.ok(), r.toString());
            assertFalse(r.complete(), r.toString());
            assertEquals(n, r.primarySent(), r.toString());
            assertEquals(1, r.missing(), r.toString());
            assertEquals(1, r.duplicates(), r.toString());
            assertEquals(1, r.corrupted(), r.toString());
            assertEquals(1, r.reordered(), r.toString());
            assertEquals(1, r.unknown(), r.toString());
            assertEquals(n - 1, r.distinct(), r.toString());
            assertEquals(n + 1, r.received(), r.toString());
            assertEquals("outdev closed by the comparator", r.stopReason(), r.toString());
            assertEquals(5, r.problems().size(), r.toString());
            assertEquals(1L, r.missingPerFlow().get(1000 % 8), "the dropped frame's flow: " + r);
            assertEquals(1L, r.missingPerFlow().stream().mapToLong(Long::longValue).sum(), r.toString());
        }
    }

    @Test
    void aFeederThatListensWithALeadAndASlowOutdevReaderStillGetsEverything() throws Exception {
        long n = 20_000;
        CompareFeeder feeder = CompareFeeder.builder()
                .primaryIn(CompareFeeder.Link.listen("127.0.0.1", 0))
                .secondaryIn(CompareFeeder.Link.listen("127.0.0.1", 0))
                .outdev(CompareFeeder.Link.listen("127.0.0.1", 0))
                .frames(n).frameSize(118).primaryLead(5_000).outdevBytesPerSecond(4_000_000).vnetHdr(false)
                .connectTimeout(Duration.ofSeconds(10))
                .build().listen();
        try (Relay relay = Relay.connecting(feeder.boundAddress(CompareFeeder.Role.PRIMARY_IN),
                feeder.boundAddress(CompareFeeder.Role.SECONDARY_IN), feeder.boundAddress(CompareFeeder.Role.OUTDEV), n,
                (k, f, out) -> Relay.send(f, out))) {
            CompareFeederResult r = feeder.run();
            assertEquals(null, relay.failure.get(), "relay");
            assertTrue(r.ok(), r.toString());
            assertEquals(n, r.primarySent(), r.toString());
            assertEquals(n, r.secondarySent(), r.toString());
        } finally {
            feeder.close();
        }
    }
}
