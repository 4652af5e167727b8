package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interoperability with the real tools: tshark and tcpdump read what we write; what editcap, mergecap, tshark and
 * a live tcpdump capture write, we read. Each test skips, naming the tool, when that tool is not installed.
 */
class ToolInteropTest {
    private static final long BASE_NANOS = 1_700_000_000_123_456_789L;
    private static final int SNAPLEN = 200;

    @TempDir
    Path dir;

    /** A frame written by us: what the reader must give back. */
    private static final class Sent {
        final long timestampNanos;
        final byte[] captured;
        final int originalLength;

        Sent(long timestampNanos, byte[] captured, int originalLength) {
            this.timestampNanos = timestampNanos;
            this.captured = captured;
            this.originalLength = originalLength;
        }
    }

    /** 25 Ethernet/IPv4/UDP frames; some longer than the snaplen (truncated), timestamps with odd nanoseconds. */
    private static List<Sent> writeSample(PacketFileWriter w, Format format, int seed) throws IOException {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            int length = 42 + (i * 53 + seed) % 300;
            byte[] frame = Frames.udpFrame(i + seed, length);
            long ts = BASE_NANOS + seed * 1_000_000_000L + i * 3_000_017_001L;
            w.write(ts, frame, 0, length, length);
            sent.add(new Sent(format.stored(ts), Arrays.copyOf(frame, Math.min(length, SNAPLEN)), length));
        }
        return sent;
    }

    private Path writeFile(Format format, String name, List<Sent> sent) throws IOException {
        Path file = dir.resolve(name + format.extension);
        try (PacketFileWriter w = format.create(file, LinkType.ETHERNET, SNAPLEN)) {
            sent.addAll(writeSample(w, format, 0));
        }
        return file;
    }

    private static void assertReadsBack(Path file, List<Sent> sent, long resolutionNanos) throws IOException {
        try (PacketFileReader r = PacketFileReader.open(file)) {
            for (int i = 0; i < sent.size(); i++) {
                Sent s = sent.get(i);
                assertTrue(r.next(), "frame " + i + " of " + file.getFileName());
                Frames.assertFrame(r, s.captured);
                assertEquals(s.originalLength, r.originalLength(), "original length of frame " + i);
                assertEquals(s.timestampNanos - s.timestampNanos % resolutionNanos, r.timestampNanos(),
                        "timestamp of frame " + i + " of " + file.getFileName());
                assertEquals(LinkType.ETHERNET, r.linkType());
            }
            assertFalse(r.next(), "no more frames in " + file.getFileName());
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void tsharkReadsOurFiles(Format format) throws Exception {
        Tools.require("tshark");
        List<Sent> sent = new ArrayList<>();
        Path file = writeFile(format, "ours", sent);
        List<Tools.TsharkFrame> frames = Tools.tshark(dir, file);
        assertEquals(sent.size(), frames.size(), "frames seen by tshark");
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i).originalLength, frames.get(i).length, "frame.len of frame " + i);
            assertEquals(sent.get(i).captured.length, frames.get(i).capturedLength, "frame.cap_len of frame " + i);
            assertEquals(sent.get(i).timestampNanos, frames.get(i).timestampNanos, "frame.time_epoch of frame " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void tcpdumpReadsOurFiles(Format format) throws Exception {
        Path tcpdump = Tools.require("tcpdump");
        List<Sent> sent = new ArrayList<>();
        Path file = writeFile(format, "ours", sent);
        String output = Tools.run(dir, tcpdump.toString(), "--time-stamp-precision=nano", "-r", file.toString(),
                "-tt", "-nn", "-e");
        String[] lines = output.strip().split("\n");
        assertEquals(sent.size(), lines.length, "frames printed by tcpdump:\n" + output);
        for (int i = 0; i < lines.length; i++) {
            String[] words = lines[i].split(" ");
            assertEquals(sent.get(i).timestampNanos, Tools.epochNanos(words[0]), "timestamp in: " + lines[i]);
            assertTrue(lines[i].contains("length " + sent.get(i).originalLength + ": 10.0.0.1.12345 > 10.0.0.2.6000"),
                    "frame length and addresses in: " + lines[i]);
        }
    }

    /** Our pcap (usec) and pcapng (nsec), converted by editcap into each other format, read back by us. */
    @Test
    void editcapConversionsOfOurFilesAreReadBack() throws Exception {
        Path editcap = Tools.require("editcap");
        List<Sent> micros = new ArrayList<>();
        Path usec = writeFile(Format.PCAP_MICROS, "usec", micros);
        List<Sent> nanos = new ArrayList<>();
        Path ng = writeFile(Format.PCAPNG, "nsec", nanos);

        Path usecToNg = dir.resolve("usec-to.pcapng");
        Tools.run(dir, editcap.toString(), "-F", "pcapng", usec.toString(), usecToNg.toString());
        assertReadsBack(usecToNg, micros, 1);

        Path usecToNsec = dir.resolve("usec-to-nsec.pcap");
        Tools.run(dir, editcap.toString(), "-F", "nsecpcap", usec.toString(), usecToNsec.toString());
        assertEquals(0xa1b23c4d, Integer.reverseBytes(firstInt(usecToNsec)), "editcap wrote a nanosecond pcap");
        assertReadsBack(usecToNsec, micros, 1);

        Path ngToNsec = dir.resolve("ng-to-nsec.pcap");
        Tools.run(dir, editcap.toString(), "-F", "nsecpcap", ng.toString(), ngToNsec.toString());
        assertReadsBack(ngToNsec, nanos, 1);

        Path ngToUsec = dir.resolve("ng-to-usec.pcap");
        Tools.run(dir, editcap.toString(), "-F", "pcap", ng.toString(), ngToUsec.toString());
        assertReadsBack(ngToUsec, nanos, 1000);

        Path ngToNg = dir.resolve("ng-to.pcapng");
        Tools.run(dir, editcap.toString(), "-F", "pcapng", ng.toString(), ngToNg.toString());
        assertReadsBack(ngToNg, nanos, 1);
    }

    private static int firstInt(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** tshark itself rewriting our nanosecond pcap as pcapng (with its own SHB/IDB options). */
    @Test
    void tsharkWrittenPcapngIsReadBack() throws Exception {
        Path tshark = Tools.require("tshark");
        List<Sent> sent = new ArrayList<>();
        Path nsec = writeFile(Format.PCAP_NANOS, "nsec", sent);
        Path out = dir.resolve("by-tshark.pcapng");
        Tools.run(dir, tshark.toString(), "-r", nsec.toString(), "-F", "pcapng", "-w", out.toString());
        assertReadsBack(out, sent, 1);
    }

    /**
     * mergecap of an Ethernet pcap and a raw-IP pcap gives a pcapng with two interfaces of different link types,
     * interleaved by time; we must agree with tshark frame by frame.
     */
    @Test
    void mergecapMultiInterfacePcapngAgreesWithTshark() throws Exception {
        Path mergecap = Tools.require("mergecap");
        Tools.require("tshark");
        Path eth = dir.resolve("eth.pcap");
        Path raw = dir.resolve("raw.pcap");
        List<Sent> ethFrames;
        List<Sent> rawFrames = new ArrayList<>();
        try (PacketFileWriter w = PacketFileWriter.pcap(eth, LinkType.ETHERNET, SNAPLEN, true)) {
            ethFrames = writeSample(w, Format.PCAP_NANOS, 0);
        }
        try (PacketFileWriter w = PacketFileWriter.pcap(raw, LinkType.RAW, 65535, false)) {
            for (int i = 0; i < 10; i++) {
                byte[] ip = Arrays.copyOfRange(Frames.udpFrame(100 + i, 100 + i), 14, 100 + i);
                long ts = BASE_NANOS + 500_000_000L + i * 7_000_000_000L;
                w.write(ts, ip, 0, ip.length, ip.length);
                rawFrames.add(new Sent(Format.PCAP_MICROS.stored(ts), ip, ip.length));
            }
        }
        Path merged = dir.resolve("merged.pcapng");
        Tools.run(dir, mergecap.toString(), "-F", "pcapng", "-w", merged.toString(), eth.toString(), raw.toString());
        List<Tools.TsharkFrame> expected = Tools.tshark(dir, merged);
        assertEquals(ethFrames.size() + rawFrames.size(), expected.size());

        int ethSeen = 0;
        int rawSeen = 0;
        try (PacketFileReader r = PacketFileReader.open(merged)) {
            for (Tools.TsharkFrame t : expected) {
                assertTrue(r.next());
                assertEquals(t.interfaceId, r.interfaceId(), "interface of frame " + r.framesRead());
                assertEquals(t.length, r.originalLength());
                assertEquals(t.capturedLength, r.capturedLength());
                assertEquals(t.timestampNanos, r.timestampNanos());
                Sent s = r.linkType() == LinkType.ETHERNET ? ethFrames.get(ethSeen++) : rawFrames.get(rawSeen++);
                Frames.assertFrame(r, s.captured);
                assertEquals(s.timestampNanos, r.timestampNanos());
            }
            assertFalse(r.next());
        }
        assertEquals(ethFrames.size(), ethSeen);
        assertEquals(rawFrames.size(), rawSeen);
    }

    /** Real frames: tcpdump captures UDP datagrams we send over loopback, in usec and nsec pcap. */
    @ParameterizedTest
    @ValueSource(strings = {"micro", "nano"})
    void readsALiveTcpdumpCaptureOfLoopback(String precision) throws Exception {
        Path tcpdump = Tools.require("tcpdump");
        int count = 5;
        Path file = dir.resolve("lo-" + precision + ".pcap");
        List<byte[]> payloads = new ArrayList<>();
        long startNanos;
        long endNanos;
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket sender = new DatagramSocket()) {
            int port = receiver.getLocalPort();
            // -w - and a redirect: tcpdump run as root drops to its own user, which could not create files here.
            Process process = new ProcessBuilder(tcpdump.toString(), "-i", "lo", "-U", "-n",
                    "-c", String.valueOf(count), "--time-stamp-precision=" + precision, "-w", "-",
                    "udp and dst port " + port)
                    .redirectOutput(file.toFile())
                    .start();
            try {
                awaitListening(process);
                startNanos = System.currentTimeMillis() * 1_000_000L;
                for (int i = 0; i < count; i++) {
                    byte[] payload = ("colo pcap loopback test datagram " + i + " " + precision)
                            .getBytes(StandardCharsets.US_ASCII);
                    payloads.add(payload);
                    sender.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
                }
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    fail("tcpdump did not see " + count + " datagrams within 20 s");
                }
                endNanos = System.currentTimeMillis() * 1_000_000L;
                assertEquals(0, process.exitValue(), "tcpdump exit status");
            } finally {
                process.destroyForcibly();
            }
        }

        try (PacketFileReader r = PacketFileReader.open(file)) {
            long previous = 0;
            for (int i = 0; i < count; i++) {
                assertTrue(r.next(), "captured frame " + i);
                assertEquals(LinkType.ETHERNET, r.linkType(), "Linux loopback is DLT_EN10MB");
                assertEquals(r.originalLength(), r.capturedLength());
                byte[] payload = payloads.get(i);
                assertEquals(14 + 20 + 8 + payload.length, r.capturedLength());
                assertTrue(Arrays.equals(payload, 0, payload.length,
                        r.data(), r.capturedLength() - payload.length, r.capturedLength()), "UDP payload " + i);
                assertEquals(0x0800, ((r.data()[12] & 0xff) << 8) | (r.data()[13] & 0xff), "IPv4 ethertype");
                // Clocks: the capture time lies within our send window (with slack for clock granularity).
                assertTrue(r.timestampNanos() >= startNanos - 2_000_000_000L
                        && r.timestampNanos() <= endNanos + 2_000_000_000L, "timestamp " + r.timestampNanos());
                assertTrue(r.timestampNanos() >= previous, "timestamps do not go backwards");
                previous = r.timestampNanos();
            }
            assertFalse(r.next());
        }

        if (Tools.available("tshark")) {
            List<Tools.TsharkFrame> frames = Tools.tshark(dir, file);
            assertEquals(count, frames.size());
            try (PacketFileReader r = PacketFileReader.open(file)) {
                for (Tools.TsharkFrame t : frames) {
                    assertTrue(r.next());
                    assertEquals(t.timestampNanos, r.timestampNanos());
                    assertEquals(t.length, r.originalLength());
                }
            }
        }
    }

    /** Waits for tcpdump's "listening on" line; skips if capturing is not permitted here. */
    private static void awaitListening(Process process) throws Exception {
        CompletableFuture<String> listening = new CompletableFuture<>();
        StringBuilder stderr = new StringBuilder();
        Thread drain = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                    if (line.contains("listening on")) {
                        listening.complete(line);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
            listening.complete(null);
        }, "tcpdump-stderr");
        drain.setDaemon(true);
        drain.start();
        String line;
        try {
            line = listening.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            line = null;
        }
        if (line == null) {
            String messages;
            synchronized (stderr) {
                messages = stderr.toString();
            }
            process.destroyForcibly();
            boolean notPermitted = messages.contains("ermission") || messages.contains("not permitted");
            Assumptions.assumeFalse(notPermitted,
                    "tcpdump is installed but may not capture on lo here (needs root or CAP_NET_RAW): " + messages);
            fail("tcpdump did not start capturing on lo: " + messages);
        }
    }
}
