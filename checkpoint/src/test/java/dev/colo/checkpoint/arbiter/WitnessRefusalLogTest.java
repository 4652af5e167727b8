package dev.colo.checkpoint.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The witness logs what it refuses, through its lease listener (colo witness's log): the first refusal of an episode
 * with the peer and the reason, then one summary with counters by reason and peer, never a line per bad request.
 */
class WitnessRefusalLogTest {
    @Test
    void badRequestsAreLoggedAsOneEpisodeWithCounters() throws Exception {
        List<LeaseEvent> events = new CopyOnWriteArrayList<>();
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        try (WitnessServer server = new WitnessServer(new InetSocketAddress("127.0.0.1", 0), clock::get, events::add,
                WitnessServer.Limits.DEFAULTS)) {
            InetSocketAddress at = server.start();
            for (int c = 0; c < 5; c++) {
                try (LineClient client = new LineClient(at)) {
                    for (int i = 0; i < 40; i++) {
                        assertTrue(client.request(i % 2 == 0 ? "HELLO" : "CLAIM web").startsWith("ERROR"));
                    }
                }
            }
            List<LeaseEvent> refusals = events.stream().filter(e -> e.kind() == LeaseEvent.Kind.REFUSALS).toList();
            assertEquals(1, refusals.size(), "one line opens the episode: " + refusals);
            assertTrue(refusals.get(0).describe().matches("witness: refused 127\\.0\\.0\\.1:\\d+: unknown request .*"),
                    refusals.get(0).describe());
            assertEquals(200, server.refusals().total());
            // The episode's window passes (the witness's clock): the next refusal first sums up the 199 counted.
            clock.addAndGet(WitnessServer.REFUSAL_EPISODE.toNanos());
            try (LineClient client = new LineClient(at)) {
                assertTrue(client.request("RELEASE").startsWith("ERROR"));
            }
            List<String> lines = events.stream().filter(e -> e.kind() == LeaseEvent.Kind.REFUSALS).map(LeaseEvent::describe).toList();
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(1).startsWith("witness: 199 more refusals in 10 s (usage 100, unknown request 99) from 127.0.0.1 199"),
                    lines.get(1));
        }
    }
}
