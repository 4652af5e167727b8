package dev.colo.checkpoint.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the witness's request parser (JAZZER_FUZZ=1, see bench/run-fuzz.sh); in the suite the
 * corpus in WitnessRequestsFuzzTestInputs (request lines of every kind, good and bad) runs as regression tests.
 *
 * <p>Input: a control byte (bit 0: the table is in its quiet period after a restart), then request lines as the
 * server's line decoder cuts them (at '\n', a trailing '\r' dropped, lines over the limit skipped: those break the
 * framing before the parser sees them), each decoded as UTF-8. Every line gets exactly one well-formed reply line,
 * nothing throws, the table never tracks more clusters than its limit, and a lease just granted is the one STATUS shows.
 */
class WitnessRequestsFuzzTest {
    private static final int MAX_CLUSTERS = 4;
    private static final long MILLIS_PER_LINE = 40;
    private static final Pattern REPLY = Pattern.compile(
            "GRANTED \\S+ \\S+ \\d+|DENIED \\S+ \\S+ \\d+|RELEASED|HOLDER \\S+ \\d+|FREE|ERROR [^\r\n]+");

    @FuzzTest(maxDuration = "5m")
    void answer(byte[] input) {
        if (input.length == 0) {
            return;
        }
        AtomicLong now = new AtomicLong(1_000_000_000L);
        LeaseTable table = new LeaseTable(now::get, LeaseListener.NONE, MAX_CLUSTERS);
        if ((input[0] & 1) != 0) {
            table.startQuietPeriod();
        }
        WitnessRequests requests = new WitnessRequests(table);
        int start = 1;
        for (int i = 1; i <= input.length; i++) {
            if (i == input.length || input[i] == '\n') {
                int end = i > start && input[i - 1] == '\r' ? i - 1 : i;
                if (end - start <= WitnessProtocol.MAX_LINE_BYTES) {
                    answerOne(requests, new String(Arrays.copyOfRange(input, start, end), StandardCharsets.UTF_8), table);
                }
                start = i + 1;
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(MILLIS_PER_LINE));
            }
        }
    }

    private static void answerOne(WitnessRequests requests, String line, LeaseTable table) {
        String reply = requests.answer(line);
        assertTrue(REPLY.matcher(reply).matches(), "reply to '" + line + "' is not one protocol line: '" + reply + "'");
        assertTrue(reply.getBytes(StandardCharsets.UTF_8).length <= WitnessProtocol.MAX_LINE_BYTES, "reply longer than a line");
        assertTrue(table.size() <= MAX_CLUSTERS, "the table tracks " + table.size() + " clusters");
        if (reply.startsWith(WitnessProtocol.GRANTED)) {
            String[] granted = reply.split(" ");
            String status = requests.answer(WitnessProtocol.status(granted[1]));
            assertTrue(status.startsWith(WitnessProtocol.HOLDER + " " + granted[2] + " "), "granted " + reply + ", then " + status);
            long ttl = Long.parseLong(granted[3]);
            assertTrue(WitnessProtocol.isValidTtl(ttl), "granted a ttl out of range: " + reply);
            assertEquals(ttl, Long.parseLong(line.trim().split("[ \t]+")[3]), "granted another ttl than asked");
        }
    }
}
