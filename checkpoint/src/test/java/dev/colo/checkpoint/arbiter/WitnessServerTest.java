package dev.colo.checkpoint.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WitnessServerTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final SkewedClock clock = new SkewedClock();
    private final List<LeaseEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private InetSocketAddress startServer(WitnessServer.Limits limits) throws IOException {
        WitnessServer server = new WitnessServer(ANY_LOOPBACK_PORT, clock::nanoTime, events::add, limits);
        toClose.add(server);
        return server.start();
    }

    private InetSocketAddress startServer() throws IOException {
        return startServer(WitnessServer.Limits.DEFAULTS);
    }

    private LineClient connect(InetSocketAddress server) throws IOException {
        LineClient client = new LineClient(server);
        toClose.add(client);
        return client;
    }

    @Test
    void startsOnAnEphemeralPortAndClosesTwiceQuietly() throws IOException {
        WitnessServer server = new WitnessServer(ANY_LOOPBACK_PORT);
        InetSocketAddress bound = server.start();
        assertNotEquals(0, bound.getPort());
        server.close();
        server.close();
    }

    @Test
    void aFreeLeaseIsGrantedRenewedByItsHolderAndDeniedToOthers() throws IOException {
        LineClient c = connect(startServer());
        assertEquals("GRANTED c1 nodeA 1000", c.request("CLAIM c1 nodeA 1000"));
        assertEquals("GRANTED c1 nodeA 1000", c.request("CLAIM c1 nodeA 1000"), "the holder renews");

        String[] denied = c.request("CLAIM c1 nodeB 1000").split(" ");
        assertEquals(List.of("DENIED", "c1", "nodeA"), List.of(denied[0], denied[1], denied[2]));
        long remaining = Long.parseLong(denied[3]);
        assertTrue(remaining > 1000 && remaining <= 1500, "ttl plus the handover margin, got " + remaining);
        assertEquals(List.of(new LeaseEvent(LeaseEvent.Kind.GRANTED, "c1", "nodeA", 1000)), events,
                "a renewal is not a lease change");
    }

    @Test
    void anUnrenewedLeaseExpiresAfterTheHandoverMarginAndGoesToTheNextClaimant() throws IOException {
        LineClient c = connect(startServer());
        assertEquals("GRANTED c1 nodeA 1000", c.request("CLAIM c1 nodeA 1000"));
        clock.advance(Duration.ofMillis(1400));
        assertTrue(c.request("CLAIM c1 nodeB 1000").startsWith("DENIED c1 nodeA "),
                "past the holder's ttl but inside the margin the old primary may still be acting");
        clock.advance(Duration.ofMillis(101));
        assertEquals("GRANTED c1 nodeB 1000", c.request("CLAIM c1 nodeB 1000"));
        assertEquals(List.of(
                new LeaseEvent(LeaseEvent.Kind.GRANTED, "c1", "nodeA", 1000),
                new LeaseEvent(LeaseEvent.Kind.EXPIRED, "c1", "nodeA", 0),
                new LeaseEvent(LeaseEvent.Kind.GRANTED, "c1", "nodeB", 1000)), events);
    }

    @Test
    void expiredLeasesAreLoggedEvenWhenNobodyAsks() throws Exception {
        LineClient c = connect(startServer());
        c.request("CLAIM c1 nodeA 1000");
        clock.advance(Duration.ofSeconds(2));
        long giveUp = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (events.size() < 2 && System.nanoTime() < giveUp) {
            Thread.sleep(20);
        }
        assertEquals(new LeaseEvent(LeaseEvent.Kind.EXPIRED, "c1", "nodeA", 0), events.get(events.size() - 1));
    }

    @Test
    void onlyTheHolderCanRelease() throws IOException {
        LineClient c = connect(startServer());
        c.request("CLAIM c1 nodeA 5000");
        assertTrue(c.request("RELEASE c1 nodeB").startsWith("DENIED c1 nodeA "));
        assertTrue(c.request("STATUS c1").startsWith("HOLDER nodeA "));
        assertEquals("RELEASED", c.request("RELEASE c1 nodeA"));
        assertEquals("FREE", c.request("STATUS c1"));
        assertEquals("RELEASED", c.request("RELEASE c1 nodeA"), "releasing a free lease is harmless");
        assertEquals("GRANTED c1 nodeB 5000", c.request("CLAIM c1 nodeB 5000"), "free at once, no expiry wait");
        assertEquals(LeaseEvent.Kind.RELEASED, events.get(1).kind());
    }

    @Test
    void statusShowsTheHolderAndTimeLeftPerCluster() throws IOException {
        LineClient c = connect(startServer());
        assertEquals("FREE", c.request("STATUS c1"));
        c.request("CLAIM c1 nodeA 2000");
        c.request("CLAIM c2 nodeB 2000");
        clock.advance(Duration.ofMillis(1000));
        String[] status = c.request("STATUS c1").split(" ");
        assertEquals("HOLDER", status[0]);
        assertEquals("nodeA", status[1]);
        long remaining = Long.parseLong(status[2]);
        assertTrue(remaining > 1900 && remaining <= 2000, "3000 ms hold minus 1000 ms, got " + remaining);
        assertTrue(c.request("STATUS c2").startsWith("HOLDER nodeB "));
    }

    @Test
    void badRequestsGetAnErrorAndTheConnectionKeepsWorking() throws IOException {
        LineClient c = connect(startServer());
        List<String> bad = List.of("", "   ", "HELLO", "claim c1 nodeA 1000", "CLAIM c1 nodeA", "CLAIM c1 nodeA 1000 extra",
                "CLAIM c1 nodeA 99", "CLAIM c1 nodeA 60001", "CLAIM c1 nodeA -5", "CLAIM c1 nodeA 1e3",
                "CLAIM c1 nodeA 99999999999999999999999", "CLAIM " + "x".repeat(200) + " nodeA 1000",
                "CLAIM c1 nöde 1000", "RELEASE c1", "STATUS", "STATUS c1 c2");
        for (String request : bad) {
            assertTrue(c.request(request).startsWith("ERROR "), "'" + request + "' must be refused");
        }
        c.sendRaw(new byte[] {0, (byte) 0xff, (byte) 0xfe, 7, 'C', 'L', '\r', '\n'});
        assertTrue(c.readLine().startsWith("ERROR "), "binary garbage");
        assertEquals("GRANTED c1 nodeA 1000", c.request("CLAIM c1 nodeA 1000"), "the connection still serves");
        assertEquals("GRANTED c2 nodeA 60000", c.request("CLAIM c2 nodeA 60000\r"), "CRLF line ends are fine");
    }

    @Test
    void anOversizedLineIsRefusedAndClosedWhileOthersAreServed() throws IOException {
        InetSocketAddress server = startServer();
        LineClient flooder = connect(server);
        LineClient other = connect(server);
        flooder.send("CLAIM c1 " + "n".repeat(WitnessProtocol.MAX_LINE_BYTES * 4));
        assertTrue(flooder.readLine().startsWith("ERROR line longer than"));
        assertTrue(flooder.closedByServerWithin(5_000));
        assertEquals("GRANTED c1 nodeA 1000", other.request("CLAIM c1 nodeA 1000"));
    }

    @Test
    void pipelinedRequestsAreAllAnsweredInOrder() throws IOException {
        LineClient c = connect(startServer());
        StringBuilder batch = new StringBuilder();
        int requests = 200;
        for (int i = 0; i < requests; i++) {
            batch.append("CLAIM c").append(i).append(" nodeA 1000\n");
        }
        c.send(batch.toString());
        for (int i = 0; i < requests; i++) {
            assertEquals("GRANTED c" + i + " nodeA 1000", c.readLine());
        }
    }

    @Test
    void silentAndHalfWrittenClientsDoNotHoldUpOthers() throws IOException {
        InetSocketAddress server = startServer();
        connect(server);
        connect(server).send("CLAIM c1 nodeZ");
        LineClient other = connect(server);
        assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertEquals("GRANTED c1 nodeA 1000", other.request("CLAIM c1 nodeA 1000")));
    }

    @Test
    void idleConnectionsAreClosed() throws IOException {
        InetSocketAddress server = startServer(new WitnessServer.Limits(16, Duration.ofMillis(500), 16));
        LineClient silent = connect(server);
        LineClient talker = connect(server);
        assertEquals("FREE", talker.request("STATUS c1"));
        assertTrue(silent.closedByServerWithin(3_000), "a client that says nothing loses its slot");
    }

    @Test
    void connectionsPastTheLimitAreTurnedAway() throws Exception {
        InetSocketAddress server = startServer(new WitnessServer.Limits(2, Duration.ofSeconds(60), 16));
        LineClient first = connect(server);
        LineClient second = connect(server);
        assertEquals("FREE", first.request("STATUS c1"));
        assertEquals("FREE", second.request("STATUS c1"));
        LineClient third = connect(server);
        assertTrue(third.readLine().startsWith("ERROR too many connections"));
        assertTrue(third.closedByServerWithin(5_000));

        first.close();
        String reply = null;
        long giveUp = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < giveUp) { // the server notices the close asynchronously
            try (LineClient retry = new LineClient(server)) {
                reply = retry.request("STATUS c1");
            }
            if ("FREE".equals(reply)) {
                break;
            }
            Thread.sleep(20);
        }
        assertEquals("FREE", reply, "a freed slot is usable again");
    }

    @Test
    void newClustersPastTheLimitAreRefused() throws IOException {
        LineClient c = connect(startServer(new WitnessServer.Limits(16, Duration.ofSeconds(60), 2)));
        c.request("CLAIM c1 nodeA 1000");
        c.request("CLAIM c2 nodeA 1000");
        assertTrue(c.request("CLAIM c3 nodeA 1000").startsWith("ERROR "));
        assertEquals("GRANTED c1 nodeA 1000", c.request("CLAIM c1 nodeA 1000"), "known clusters still renew");
    }

    @Test
    void manyConcurrentClientsAgreeOnASingleHolder() throws Exception {
        InetSocketAddress server = startServer();
        int clients = 64;
        int rounds = 20;
        Set<String> winners = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String node = "node" + i;
                done.add(pool.submit(() -> {
                    try (LineClient c = new LineClient(server)) {
                        for (int r = 0; r < rounds; r++) {
                            String reply = c.request("CLAIM shared " + node + " 60000");
                            if (reply.startsWith("GRANTED")) {
                                winners.add(node);
                            } else {
                                assertTrue(reply.startsWith("DENIED shared "), reply);
                            }
                            assertEquals("GRANTED own-" + node + " " + node + " 60000",
                                    c.request("CLAIM own-" + node + " " + node + " 60000"));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, winners.size(), "exactly one node ever held the contended lease: " + winners);
        LineClient c = connect(server);
        assertTrue(c.request("STATUS shared").startsWith("HOLDER " + winners.iterator().next() + " "));
    }

    @Test
    void aClientThatNeverReadsIsEventuallyDropped() throws IOException {
        InetSocketAddress server = startServer(new WitnessServer.Limits(16, Duration.ofSeconds(1), 16));
        LineClient greedy = connect(server);
        byte[] burst = "STATUS c1\n".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
        try {
            greedy.sendRaw(burst);
        } catch (IOException closedMeanwhile) {
            // also fine: the server gave up on it
        }
        LineClient other = connect(server);
        assertEquals("FREE", other.request("STATUS c1"));
        assertTrue(greedy.closedByServerWithin(5_000));
    }
}
