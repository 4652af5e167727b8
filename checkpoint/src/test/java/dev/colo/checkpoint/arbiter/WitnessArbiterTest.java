package dev.colo.checkpoint.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WitnessArbiterTest {
    private static final String CLUSTER = "web";
    private static final String PRIMARY = "pvm";
    private static final String SECONDARY = "svm";
    private static final Duration TTL = Duration.ofSeconds(3); // these tests time a 3 s lease on fake and real clocks
    private static final Duration IO_TIMEOUT = Duration.ofMillis(500);
    /** Past the witness's hold of a TTL lease (ttl plus half a ttl). */
    private static final Duration PAST_THE_HOLD = TTL.plus(TTL.dividedBy(2)).plusMillis(10);

    private final SkewedClock witnessClock = new SkewedClock();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private InetSocketAddress startWitness(WitnessServer.Limits limits) throws IOException {
        WitnessServer server = new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                witnessClock::nanoTime, LeaseListener.NONE, limits);
        toClose.add(server);
        return warmUp(server.start());
    }

    /**
     * The first request to a fresh server in a cold JVM loads Netty's classes, which can outlast the short
     * I/O timeout these tests use; a patient client goes first.
     */
    private static InetSocketAddress warmUp(InetSocketAddress server) throws IOException {
        try (LineClient patient = new LineClient(server)) {
            patient.request(WitnessProtocol.status("warm-up"));
        }
        return server;
    }

    private InetSocketAddress startWitness() throws IOException {
        return startWitness(WitnessServer.Limits.DEFAULTS);
    }

    private WitnessArbiter arbiter(InetSocketAddress witness, SkewedClock clock) {
        WitnessArbiter a = new WitnessArbiter(witness, TTL, IO_TIMEOUT, clock::nanoTime);
        toClose.add(a);
        return a;
    }

    private WitnessArbiter arbiter(InetSocketAddress witness) {
        return arbiter(witness, new SkewedClock());
    }

    /** An address where nothing listens: a port that was just free. */
    private static InetSocketAddress deadAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    @Test
    void theSecondaryIsRefusedWhileThePrimaryRenewsAndTakesOverOnceTheLeaseExpires() throws IOException {
        InetSocketAddress witness = startWitness();
        WitnessArbiter primary = arbiter(witness);
        WitnessArbiter secondary = arbiter(witness);

        assertTrue(primary.renew(CLUSTER, PRIMARY));
        Decision refused = secondary.requestPromotion(CLUSTER, SECONDARY, Duration.ofSeconds(1));
        assertFalse(refused.granted());
        assertTrue(refused.reason().contains("node " + PRIMARY + " holds the lease"), refused.reason());
        assertTrue(primary.renew(CLUSTER, PRIMARY), "the primary keeps its claim");

        witnessClock.advance(PAST_THE_HOLD); // the primary fell silent
        Decision granted = secondary.requestPromotion(CLUSTER, SECONDARY, Duration.ofSeconds(1));
        assertTrue(granted.granted(), granted.reason());
        assertTrue(secondary.renew(CLUSTER, SECONDARY));
        assertFalse(primary.renew(CLUSTER, PRIMARY), "the old primary learns it lost the claim");
    }

    @Test
    void aReleasedClaimCanBeTakenAtOnce() throws IOException {
        InetSocketAddress witness = startWitness();
        WitnessArbiter primary = arbiter(witness);
        WitnessArbiter secondary = arbiter(witness);
        assertTrue(primary.renew(CLUSTER, PRIMARY));
        primary.release(CLUSTER, PRIMARY);
        assertTrue(secondary.requestPromotion(CLUSTER, SECONDARY, Duration.ofSeconds(1)).granted());
    }

    @Test
    void promotionIsRefusedWithAReasonWhenTheWitnessIsDown() throws IOException {
        WitnessArbiter secondary = arbiter(deadAddress());
        long start = System.nanoTime();
        Decision d = secondary.requestPromotion(CLUSTER, SECONDARY, Duration.ofMillis(300));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertFalse(d.granted());
        assertTrue(d.reason().contains("could not be asked"), d.reason());
        assertTrue(tookMillis < 1_000, "bounded by the timeout, took " + tookMillis + " ms");
    }

    @Test
    void renewRidesOutAShortOutageButNotOneLongerThanTheLease() throws IOException {
        WitnessServer server = new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress witness = warmUp(server.start());
        SkewedClock primaryClock = new SkewedClock();
        WitnessArbiter primary = arbiter(witness, primaryClock);
        assertTrue(primary.renew(CLUSTER, PRIMARY));

        server.close();
        assertTrue(primary.renew(CLUSTER, PRIMARY), "witness down, lease still valid");
        primaryClock.advance(TTL.dividedBy(2));
        assertTrue(primary.renew(CLUSTER, PRIMARY), "still inside the lease");
        primaryClock.advance(TTL.dividedBy(2));
        assertFalse(primary.renew(CLUSTER, PRIMARY), "the lease ran out without a renewal");
        assertFalse(primary.renew(CLUSTER, PRIMARY), "a fresh claim fails too while the witness is down");
    }

    @Test
    void renewNeverOutlivesTheLeaseItRenews() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // A witness that grants once and then goes mute with the connection still open.
            Thread witnessThread = new Thread(() -> {
                try (Socket s = fake.accept()) {
                    s.getInputStream().read(new byte[WitnessProtocol.MAX_LINE_BYTES]);
                    s.getOutputStream().write(("GRANTED " + CLUSTER + " " + PRIMARY + " " + TTL.toMillis() + "\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(5_000);
                } catch (IOException | InterruptedException ignored) {
                    // the test is over
                }
            });
            witnessThread.start();
            SkewedClock primaryClock = new SkewedClock();
            WitnessArbiter primary = new WitnessArbiter(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    fake.getLocalPort()), TTL, Duration.ofSeconds(30), primaryClock::nanoTime);
            toClose.add(primary);
            assertTrue(primary.renew(CLUSTER, PRIMARY));

            primaryClock.advance(TTL.minusMillis(200));
            long start = System.nanoTime();
            assertFalse(primary.renew(CLUSTER, PRIMARY), "no answer before the lease ran out");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis < 1_000, "the 30 s I/O timeout must not keep the caller past its lease: took "
                    + tookMillis + " ms");
            witnessThread.interrupt();
            witnessThread.join();
        }
    }

    @Test
    void aMuteWitnessCostsNoMoreThanTheIoTimeout() throws IOException {
        try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress witness = new InetSocketAddress(InetAddress.getLoopbackAddress(), mute.getLocalPort());
            WitnessArbiter a = new WitnessArbiter(witness, TTL, Duration.ofMillis(200));
            toClose.add(a);
            long start = System.nanoTime();
            assertFalse(a.renew(CLUSTER, PRIMARY), "never granted, so nothing to trust");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis < 1_000, "took " + tookMillis + " ms");

            start = System.nanoTime();
            Decision d = a.requestPromotion(CLUSTER, SECONDARY, Duration.ofMillis(500));
            tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertFalse(d.granted());
            assertTrue(d.reason().contains("no reply"), d.reason());
            assertTrue(tookMillis < 1_500, "took " + tookMillis + " ms");
        }
    }

    @Test
    void reconnectsAfterTheWitnessDropsAnIdleConnection() throws Exception {
        InetSocketAddress witness = startWitness(new WitnessServer.Limits(16, Duration.ofMillis(300), 16));
        WitnessArbiter primary = arbiter(witness);
        assertTrue(primary.renew(CLUSTER, PRIMARY));
        Thread.sleep(800); // the witness closes the quiet connection meanwhile
        assertTrue(primary.renew(CLUSTER, PRIMARY));
        Decision d = primary.requestPromotion(CLUSTER, PRIMARY, Duration.ofSeconds(1));
        assertTrue(d.granted(), "claiming again is a renewal for the holder: " + d.reason());
    }

    @Test
    void renewalsAndPromotionRequestsFromSeveralThreadsAreSafe() throws Exception {
        InetSocketAddress witness = startWitness();
        WitnessArbiter shared = arbiter(witness);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean renewer = t % 2 == 0;
                results.add(pool.submit(() -> {
                    boolean allGranted = true;
                    for (int i = 0; i < 50; i++) {
                        allGranted &= renewer
                                ? shared.renew(CLUSTER, PRIMARY)
                                : shared.requestPromotion(CLUSTER, PRIMARY, Duration.ofSeconds(2)).granted();
                    }
                    return allGranted;
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get(), "one node claiming from several threads always holds its own lease");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClosedArbiterRefusesToPromote() throws IOException {
        WitnessArbiter a = arbiter(startWitness());
        a.close();
        assertFalse(a.requestPromotion(CLUSTER, SECONDARY, Duration.ofMillis(100)).granted());
        assertFalse(a.renew(CLUSTER, PRIMARY));
    }

    @Test
    void rejectsBadIdsAndSettingsBeforeTalkingToTheWitness() throws IOException {
        InetSocketAddress witness = deadAddress();
        WitnessArbiter a = arbiter(witness);
        assertThrows(IllegalArgumentException.class, () -> a.renew("two words", PRIMARY));
        assertThrows(IllegalArgumentException.class, () -> a.requestPromotion(CLUSTER, "", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> a.release(CLUSTER, null));
        assertThrows(IllegalArgumentException.class, () -> new WitnessArbiter(witness, Duration.ofMillis(50), IO_TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new WitnessArbiter(witness, TTL, Duration.ZERO));
        assertEquals(Duration.ofSeconds(1), a.renewInterval());
    }

    @Test
    void theWitnessSeesTheLeaseTheArbiterClaims() throws IOException {
        InetSocketAddress witness = startWitness();
        WitnessArbiter primary = arbiter(witness);
        assertTrue(primary.renew(CLUSTER, PRIMARY));
        try (LineClient look = new LineClient(witness)) {
            assertTrue(look.request("STATUS " + CLUSTER).startsWith("HOLDER " + PRIMARY + " "));
            primary.release(CLUSTER, PRIMARY);
            assertEquals("FREE", look.request("STATUS " + CLUSTER));
        }
    }
}
