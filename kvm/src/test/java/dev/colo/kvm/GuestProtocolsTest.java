package dev.colo.kvm;

import dev.colo.lab.Netns;
import dev.colo.lab.Shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.kvm.devices.TapDevice;
import dev.colo.kvm.vmm.KvmDevice;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The guest's HTTP/1.1 (port 80) and RESP/Redis (port 6379) services driven by real Debian
 * clients in a client namespace: curl, ab (apache2-utils), redis-cli and redis-benchmark
 * (redis-tools), plus raw malformed input through socat. One guest serves every test; each test
 * checks it is still running afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class GuestProtocolsTest {
    private static final String GUEST = "10.77.0.2";
    private static final String URL = "http://" + GUEST;

    private Netns ns;
    private MicroVm vm;

    @BeforeAll
    void bootOneGuest() throws Exception {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: skipped");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing: skipped");
        assumeTrue((Netns.missing("ping", "socat") == null), "ip, ping or socat missing (apt-get install iproute2 iputils-ping socat): skipped");
        for (String tool : List.of("curl", "ab", "redis-cli", "redis-benchmark")) {
            assumeTrue(onPath(tool), tool + " missing (apt-get install curl apache2-utils redis-tools): skipped");
        }
        ns = GuestNetworkTest.clientBehindBridge();
        vm = GuestNetworkTest.boot(TapDevice.open(Netns.ifname("p")));
        GuestNetworkTest.plug(ns, (TapDevice) vm.net().backend());
        vm.resume();
        assertNotNull(vm.console().await("colo-guest: up", 10_000), "boot banner; console: " + vm.console().lines());
        assertTrue(vm.console().lines().toString().contains("http=80 resp=6379"), vm.console().lines().toString());
        ns.exec("ping", "-c", "1", "-W", "2", GUEST); // ARP resolved before the first client starts
    }

    @AfterAll
    void stop() throws Exception {
        if (vm != null) {
            vm.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @AfterEach
    void guestStillRuns() {
        if (vm != null) {
            assertNull(vm.stopped(), "the guest stopped; console: " + vm.console().lines());
        }
    }

    // ---- HTTP ----

    @Test
    void curlDownloadsTenMegabytesOfTheExpectedContent() throws Exception {
        long n = 10_000_000;
        Path file = Files.createTempFile("colo-bytes", ".bin");
        try {
            String out = ns.exec("curl", "-sS", "--fail", "--max-time", "120", "-o", file.toString(), "-w",
                    "%{http_code} %{size_download} %{content_type}", URL + "/bytes/" + n);
            assertEquals("200 " + n + " application/octet-stream", out.trim());
            assertEquals(n, Files.size(file));
            String sha = ns.exec("sha256sum", file.toString()).split("\\s+")[0];
            assertEquals(expectedSha256(n), sha, "SHA-256 of the 'a'..'z' pattern");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void abWithKeepAliveCompletesWithoutFailures() throws Exception {
        String out = ns.exec("ab", "-q", "-k", "-n", "2000", "-c", "4", "-s", "10", URL + "/bytes/1000");
        assertEquals("2000", field(out, "Complete requests:\\s+(\\d+)"), out);
        assertEquals("0", field(out, "Failed requests:\\s+(\\d+)"), out);
        assertEquals("2000", field(out, "Keep-Alive requests:\\s+(\\d+)"), out);
        assertEquals("1000", field(out, "Document Length:\\s+(\\d+)"), out);
        assertTrue(!out.contains("Non-2xx"), out);
        // Without keep-alive (HTTP/1.0, one connection per request, the guest closes each).
        String close = ns.exec("ab", "-q", "-n", "300", "-c", "4", "-s", "10", URL + "/bytes/1000");
        assertEquals("300", field(close, "Complete requests:\\s+(\\d+)"), close);
        assertEquals("0", field(close, "Failed requests:\\s+(\\d+)"), close);
    }

    @Test
    void oneConnectionServesSeveralRequestsAndPipelinedOnes() throws Exception {
        String verbose = ns.exec("curl", "-sS", "-v", "--fail", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                URL + "/bytes/10", URL + "/", URL + "/tsc");
        assertTrue(verbose.contains("Re-using existing connection"), verbose);
        assertTrue(!verbose.toLowerCase().contains("date:"), "no Date header: " + verbose);

        String page = ns.exec("curl", "-sS", "--fail", URL + "/");
        assertTrue(page.contains("/bytes/N") && page.contains("/tsc"), page);

        String head = ns.exec("curl", "-sS", "-I", URL + "/bytes/123");
        assertTrue(head.startsWith("HTTP/1.1 200 OK"), head);
        assertTrue(head.contains("Content-Length: 123") && head.contains("Content-Type: application/octet-stream"), head);

        String pipelined = exchange(80, "GET /bytes/30 HTTP/1.1\r\nHost: g\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: g\r\n\r\n"
                + "GET /bytes/0 HTTP/1.1\r\nHost: g\r\n\r\n"
                + "GET /bytes/5 HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n"
                + "GET /bytes/7 HTTP/1.1\r\nHost: g\r\n\r\n");
        List<String> statuses = statusLines(pipelined);
        assertEquals(List.of("HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"), statuses,
                pipelined);
        assertTrue(pipelined.contains("\r\n\r\n" + pattern(30) + "HTTP/1.1 404"), pipelined);
        assertTrue(pipelined.endsWith("Connection: close\r\n\r\n" + pattern(5)), "closed after the Connection: close one: " + pipelined);

        String http10 = exchange(80, "GET /bytes/3 HTTP/1.0\r\n\r\n");
        assertTrue(http10.startsWith("HTTP/1.1 200 OK") && http10.contains("Connection: close") && http10.endsWith("abc"), http10);
    }

    @Test
    void tscDiffersBetweenRequests() throws Exception {
        String a = ns.exec("curl", "-sS", "--fail", URL + "/tsc").trim();
        String b = ns.exec("curl", "-sS", "--fail", URL + "/tsc").trim();
        assertTrue(a.matches("\\d+") && b.matches("\\d+"), a + " / " + b);
        assertNotEquals(a, b);
        assertTrue(Long.parseUnsignedLong(b) > Long.parseUnsignedLong(a));
    }

    @Test
    void httpKeyValueIsTheStoreTheOtherServicesSee() throws Exception {
        assertEquals("OK", ns.exec("curl", "-sS", "--fail", "-X", "PUT", "--data-binary", "from-http", URL + "/kv/shared").trim());
        assertEquals("from-http", ns.exec("curl", "-sS", "--fail", URL + "/kv/shared"));
        assertEquals("from-http", redis("GET", "shared"));
        assertEquals("OK", redis("SET", "shared", "from-redis"));
        assertEquals("from-redis", ns.exec("curl", "-sS", "--fail", URL + "/kv/shared"));
        try (GuestNetworkTest.Session s = GuestNetworkTest.Session.open(ns)) {
            assertEquals("VALUE from-redis", s.ask("GET shared"));
        }
        assertEquals("200", ns.exec("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", URL + "/kv/shared"));
        assertEquals("404", ns.exec("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", URL + "/kv/shared"));
        assertEquals("413", ns.exec("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--data-binary",
                "x".repeat(2000), URL + "/kv/big"));
    }

    @Test
    void malformedHttpGetsErrorsAndTheGuestKeepsServing() throws Exception {
        assertStatus("HTTP/1.1 400 Bad Request", "GARBAGE\r\n\r\n");
        assertStatus("HTTP/1.1 400 Bad Request", "GET /\r\n\r\n");
        assertStatus("HTTP/1.1 400 Bad Request", "GET / HTTP/1.1\r\n\r\n"); // no Host
        assertStatus("HTTP/1.1 400 Bad Request", "GET / HTTP/1.1\r\nHost: g\r\nno colon here\r\n\r\n");
        assertStatus("HTTP/1.1 400 Bad Request", "GET / HTTP/1.1\r\nHost: g\r\nContent-Length: 12x\r\n\r\n");
        assertStatus("HTTP/1.1 400 Bad Request", "GET / HTTP/1.1\r\nHost: g\r\n folded\r\n\r\n");
        assertStatus("HTTP/1.1 400 Bad Request", "GET nothing HTTP/1.1\r\nHost: g\r\n\r\n");
        assertStatus("HTTP/1.1 400 Bad Request", "GET /bytes/lots HTTP/1.1\r\nHost: g\r\n\r\n");
        assertStatus("HTTP/1.1 404 Not Found", "GET /missing HTTP/1.1\r\nHost: g\r\n\r\n");
        assertStatus("HTTP/1.1 405 Method Not Allowed", "BREW /bytes/1 HTTP/1.1\r\nHost: g\r\n\r\n");
        assertStatus("HTTP/1.1 405 Method Not Allowed", "DELETE /tsc HTTP/1.1\r\nHost: g\r\n\r\n");
        assertStatus("HTTP/1.1 505 HTTP Version Not Supported", "GET / HTTP/2.0\r\nHost: g\r\n\r\n");
        assertStatus("HTTP/1.1 501 Not Implemented", "POST /kv/a HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertStatus("HTTP/1.1 413 Content Too Large", "PUT /kv/a HTTP/1.1\r\nHost: g\r\nContent-Length: 99999999999\r\n\r\n");
        assertStatus("HTTP/1.1 414 URI Too Long", "GET /" + "a".repeat(5000) + " HTTP/1.1\r\n\r\n");
        assertStatus("HTTP/1.1 431 Request Header Fields Too Large",
                "GET / HTTP/1.1\r\nHost: g\r\n" + "X-Filler: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n".repeat(100) + "\r\n");
        exchange(80, "GET /bytes/10 HTTP/1.1\r\nHost: g\r\nContent-Le"); // cut short: closed, not answered
        exchange(80, randomBytes(1, 64 * 1024));
        exchange(80, "\r\n".repeat(20000));
        assertEquals("200", ns.exec("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", URL + "/bytes/100000"));
    }

    // ---- RESP ----

    @Test
    void redisCliRoundTripsValues() throws Exception {
        assertEquals("PONG", redis("PING"));
        assertEquals("hello there", redis("PING", "hello there"));
        assertEquals("OK", redis("SET", "colour", "blue"));
        assertEquals("blue", redis("GET", "colour"));
        assertEquals("", redis("GET", "never-set"));
        assertEquals("1", redis("INCR", "hits"));
        assertEquals("2", redis("INCR", "hits"));
        assertEquals("12", redis("INCRBY", "hits", "10"));
        assertEquals("ERR value is not an integer or out of range", redis("INCR", "colour"));
        assertEquals("OK", redis("SET", "other", "x"));
        assertEquals("2", redis("EXISTS", "colour", "other"));
        assertEquals("3", redis("DEL", "colour", "other", "hits", "absent"));
        assertEquals("0", redis("EXISTS", "colour"));
        assertEquals("an echo", redis("ECHO", "an echo"));
        assertTrue(redis("TSC").matches("\\d+"));
        assertTrue(redis("TIME").matches("\\d+\n\\d+"), redis("TIME"));
        assertEquals("ERR unknown command 'FROB'", redis("FROB", "x"));
        assertEquals("ERR wrong number of arguments for 'get' command", redis("GET"));
        // Commands fed to redis-cli on stdin, one a line.
        String piped = ns.exec("sh", "-c", "printf 'SET piped 1\\nINCR piped\\nGET piped\\n' | redis-cli -h " + GUEST);
        assertEquals("OK\n2\n2", piped.trim());
    }

    @Test
    void redisBenchmarkCompletes() throws Exception {
        for (String pipeline : List.of("1", "16")) {
            Shell.Result r = ns.tryExec("timeout", "120", "redis-benchmark", "-h", GUEST, "-t", "set,get,incr", "-n", "2000",
                    "-q", "-P", pipeline);
            String out = r.output();
            assertEquals(0, r.exit(), out + "\nguest console (end): " + consoleTail());
            for (String test : List.of("SET", "GET", "INCR")) {
                assertTrue(Pattern.compile("(?m)^" + test + ": [\\d.]+ requests per second").matcher(out).find(), out);
            }
            assertTrue(!out.contains("ERR") && !out.toLowerCase().contains("error"), out);
        }
        assertTrue(Long.parseLong(redis("GET", "counter:__rand_int__")) >= 4000, "INCR ran 2 x 2000 times");
    }

    @Test
    void inlineAndPipelinedRespCommands() throws Exception {
        String out = exchange(6379, "PING\r\nSET  a   1\r\nINCR a\r\n\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhi\r\nx\r\n*1\r\n$4\r\nPING\r\nGET a\nQUIT\r\nPING\r\n");
        assertEquals("+PONG\r\n+OK\r\n:2\r\n$5\r\nhi\r\nx\r\n+PONG\r\n$1\r\n2\r\n+OK\r\n", out);
        String big = "v".repeat(5000);
        assertEquals("$5000\r\n" + big + "\r\n-ERR value too long (max 1024 bytes)\r\n",
                exchange(6379, "*2\r\n$4\r\nECHO\r\n$5000\r\n" + big + "\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5000\r\n" + big + "\r\n"));
    }

    @Test
    void requestsSplitIntoTinySegmentsAreReassembled() throws Exception {
        String http = exchange(80, ("GET /bytes/10 HTTP/1.1\r\nHost: g\r\n\r\n"
                + "PUT /kv/t HTTP/1.1\r\nHost: g\r\nContent-Length: 4\r\n\r\nabcd"
                + "GET /kv/t HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII), true);
        assertEquals(List.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"), statusLines(http), http);
        assertTrue(http.contains("\r\n\r\n" + pattern(10) + "HTTP/1.1 200 OK") && http.endsWith("\r\n\r\nabcd"), http);
        String resp = exchange(6379, "*3\r\n$3\r\nSET\r\n$1\r\nt\r\n$2\r\nvv\r\n*2\r\n$3\r\nGET\r\n$1\r\nt\r\nINCR n0\r\n"
                .getBytes(StandardCharsets.US_ASCII), true);
        assertEquals("+OK\r\n$2\r\nvv\r\n:1\r\n", resp);
        redis("DEL", "t", "n0");
    }

    @Test
    void malformedRespGetsErrorsAndTheGuestKeepsServing() throws Exception {
        assertEquals("-ERR Protocol error: invalid multibulk length\r\n", exchange(6379, "*abc\r\nPING\r\n"));
        assertEquals("-ERR Protocol error: invalid multibulk length\r\n", exchange(6379, "*100000\r\nPING\r\n"));
        assertEquals("-ERR Protocol error: invalid bulk length\r\n", exchange(6379, "*1\r\n$999999999\r\nPING\r\n"));
        assertEquals("-ERR Protocol error: invalid bulk length\r\n", exchange(6379, "*1\r\n$-5\r\nPING\r\n"));
        assertEquals("-ERR Protocol error: expected '$'\r\n", exchange(6379, "*1\r\n:4\r\nPING\r\n"));
        assertEquals("-ERR Protocol error: bulk string not followed by CRLF\r\n", exchange(6379, "*1\r\n$4\r\nPINGxx\r\n"));
        assertEquals("-ERR Protocol error: too big inline request\r\n", exchange(6379, "x".repeat(20000)));
        assertEquals("-ERR Protocol error: command too big\r\n",
                exchange(6379, "*3\r\n$3\r\nSET\r\n$4000\r\n" + "k".repeat(4000) + "\r\n$7000\r\n" + "v".repeat(7000) + "\r\n"));
        assertEquals("-ERR Protocol error: too many arguments\r\n+PONG\r\n", exchange(6379, "DEL" + " k".repeat(100) + "\r\nPING\r\n"));
        assertEquals("-ERR unknown command '??'\r\n+PONG\r\n", exchange(6379, "\u0001\u0002\r\nPING\r\n"));
        exchange(6379, "*2\r\n$3\r\nGET\r\n$1"); // cut short
        exchange(6379, randomBytes(2, 64 * 1024));
        exchange(9000, randomBytes(3, 64 * 1024));
        assertEquals("PONG", redis("PING"));
    }

    @Test
    void aFullStoreAnswersAnErrorAndDeletionKeepsEveryOtherKey() throws Exception {
        assertEquals("OK", redis("FLUSHALL"));
        StringBuilder sets = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sets.append("SET key").append(i).append(" value").append(i).append("\r\n");
        }
        String out = exchange(6379, sets.toString());
        int ok = count(out, "+OK\r\n");
        int full = count(out, "-ERR store full\r\n");
        assertEquals(1000, ok + full, out);
        assertTrue(full > 0 && ok >= 800, ok + " stored, " + full + " refused");
        assertEquals(String.valueOf(ok), redis("DBSIZE"));
        // Delete every third key (backward-shift deletion in the open-addressing table), then
        // every remaining key must still be found with its own value.
        StringBuilder dels = new StringBuilder();
        int deleted = 0;
        for (int i = 0; i < ok; i += 3) {
            dels.append("DEL key").append(i).append("\r\n");
            deleted++;
        }
        assertEquals(":1\r\n".repeat(deleted), exchange(6379, dels.toString()));
        StringBuilder gets = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < ok; i++) {
            gets.append("GET key").append(i).append("\r\n");
            String v = "value" + i;
            expected.append(i % 3 == 0 ? "$-1\r\n" : "$" + v.length() + "\r\n" + v + "\r\n");
        }
        assertEquals(expected.toString(), exchange(6379, gets.toString()));
        assertEquals("OK", redis("SET", "after-delete", "fits again"));
        assertEquals("OK", redis("FLUSHALL"));
        assertEquals("0", redis("DBSIZE"));
    }

    // ---- helpers ----

    private String redis(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "redis-cli";
        cmd[1] = "-h";
        cmd[2] = GUEST;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Shell.Result r = ns.tryExec(cmd);
        String out = r.output();
        return out.stripTrailing();
    }

    private void assertStatus(String expected, String request) throws Exception {
        String answer = exchange(80, request);
        assertTrue(answer.startsWith(expected + "\r\n"), "for " + abbreviate(request) + ": " + abbreviate(answer));
    }

    /** Sends input on a fresh TCP connection, half-closes, returns everything the guest sent until it closed. */
    private String exchange(int port, String input) throws Exception {
        return exchange(port, input.getBytes(StandardCharsets.ISO_8859_1));
    }

    private String exchange(int port, byte[] input) throws Exception {
        return exchange(port, input, false);
    }

    /** trickle: one byte per write, 2 ms apart, so requests arrive split at every possible point. */
    private String exchange(int port, byte[] input, boolean trickle) throws Exception {
        Process p = ns.startMerged("socat", "-t", "5", "-", "TCP:" + GUEST + ":" + port + ",connect-timeout=5,nodelay");
        Thread writer = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                if (!trickle) {
                    in.write(input);
                    return;
                }
                for (byte b : input) {
                    in.write(b);
                    in.flush();
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the guest closed early (a fatal protocol error): the rest is not needed
            }
        });
        writer.start();
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        writer.join(10_000);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "socat finished");
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private String consoleTail() {
        List<String> lines = vm.console().lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static List<String> statusLines(String answers) {
        List<String> lines = new ArrayList<>();
        Matcher m = Pattern.compile("HTTP/1\\.1 \\d{3} [A-Za-z ]+(?=\r\n)").matcher(answers);
        while (m.find()) {
            lines.add(m.group());
        }
        return lines;
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    static String pattern(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }

    /** SHA-256 of the guest's generated content: byte i is 'a' + i % 26. */
    static String expectedSha256(long n) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[26 * 4096];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) ('a' + i % 26);
        }
        for (long left = n; left > 0; left -= chunk.length) {
            sha.update(chunk, 0, (int) Math.min(chunk.length, left));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static boolean onPath(String tool) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
