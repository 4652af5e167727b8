package dev.colo.compare.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.colo.compare.packet.FrameInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {
    private static FrameInfo flow(long src, long dst, int sport, int dport) {
        FrameInfo f = new FrameInfo();
        f.clear();
        f.protocol = 6;
        f.ipVersion = 4;
        f.srcLo = 0xffff_0000_0000L | src;
        f.dstLo = 0xffff_0000_0000L | dst;
        f.srcPort = sport;
        f.dstPort = dport;
        f.computeKey();
        return f;
    }

    @Test
    void bothDirectionsAreOneConnection() {
        ConnectionTable t = new ConnectionTable(8);
        int id = t.insert(flow(1, 2, 80, 5000), 0);
        assertEquals(0, t.lastDirection());
        assertEquals(id, t.find(flow(2, 1, 5000, 80)));
        assertEquals(1, t.lastDirection());
        assertEquals(ConnectionTable.NONE, t.find(flow(2, 1, 5001, 80)));
        assertEquals("TCP 0.0.0.1:80 <-> 0.0.0.2:5000", t.describe(id));
    }

    @Test
    void randomInsertsAndRemovalsAgreeWithAHashMap() {
        ConnectionTable t = new ConnectionTable(1000);
        Map<Integer, Integer> model = new HashMap<>();
        Random r = new Random(3);
        for (int step = 0; step < 200_000; step++) {
            int port = r.nextInt(3000);
            FrameInfo f = flow(7, 9, port, 443);
            int found = t.find(f);
            Integer expected = model.get(port);
            assertEquals(expected == null ? ConnectionTable.NONE : expected, found, "step " + step);
            if (found == ConnectionTable.NONE) {
                int id = t.insert(f, step);
                if (model.size() < 1000) {
                    assertNotEquals(ConnectionTable.NONE, id);
                    model.put(port, id);
                } else {
                    assertEquals(ConnectionTable.NONE, id, "a full table refuses instead of clearing");
                }
            } else if (r.nextInt(3) == 0) {
                t.remove(found);
                model.remove(port);
            }
            assertEquals(model.size(), t.size());
        }
    }

    @Test
    void leastRecentIsTheOneTouchedLongestAgo() {
        ConnectionTable t = new ConnectionTable(4);
        int a = t.insert(flow(1, 2, 1, 1), 0);
        int b = t.insert(flow(1, 2, 2, 2), 1);
        int c = t.insert(flow(1, 2, 3, 3), 2);
        t.touch(a, 3);
        assertEquals(b, t.leastRecent());
        assertEquals(c, t.moreRecent(b));
        assertEquals(a, t.moreRecent(c));
    }
}
