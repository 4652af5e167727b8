package dev.colo.bench;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.TcpFlyweight;
import dev.colo.pcap.LinkType;
import dev.colo.pcap.PacketFileWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Writes a pair of output captures in which the primary and the secondary send the SAME bulk TCP
 * traffic (a server pushing data to clients over several connections), so that a replay of the pair
 * must find no divergence: every frame is compared and released, nothing else happens.
 *
 * <p>Per connection: a SYN-ACK, data segments of {@link #MSS} bytes (random bytes, identical on both
 * sides, interleaved across connections in a seeded random order), and a FIN when its share of data is
 * sent. What legitimately differs between replicas differs here too: each side has its own initial
 * sequence numbers and IP IDs (and so checksums). The primary's k-th frame is stamped
 * {@code start + k us}; its twin on the secondary 3 to 3.9 us later, so each file stays in time order.
 */
final class BulkTcpPair {
    static final int MSS = 1448;
    static final int SERVER_PORT = 5201;
    static final int FIRST_CLIENT_PORT = 40000;
    static final int SERVER_IP = FrameBuilder.ipv4(10, 0, 0, 1);
    static final long FRAME_SPACING_NANOS = 1_000;
    static final long SECONDARY_LAG_NANOS = 3_000;
    static final int SECONDARY_JITTER_NANOS = 900;
    static final long START_NANOS = Instant.parse("2026-11-22T00:00:00Z").getEpochSecond() * 1_000_000_000L;
    /** Bumped whenever the generated traffic changes, so stale cached files are not reused. */
    static final int FORMAT = 1;
    private static final int PAYLOAD_POOL = 4 << 20;

    final Path primary;
    final Path secondary;
    final long framesPerSide;
    final int connections;

    private BulkTcpPair(Path primary, Path secondary, long framesPerSide, int connections) {
        this.primary = primary;
        this.secondary = secondary;
        this.framesPerSide = framesPerSide;
        this.connections = connections;
    }

    static int clientIp(int connection) {
        return FrameBuilder.ipv4(10, 0, 1 + connection / 250, 1 + connection % 250);
    }

    /** Returns the pair in {@code dir} for these parameters, generating it first unless it is there already. */
    static BulkTcpPair ensure(Path dir, long framesPerSide, int connections, long seed, PrintStream log)
            throws IOException {
        if (connections < 1 || connections > 60_000) {
            throw new IllegalArgumentException("connections must be in 1..60000, got " + connections);
        }
        if (framesPerSide < 2L * connections) {
            throw new IllegalArgumentException("need at least 2 frames per connection (SYN-ACK and FIN): "
                    + framesPerSide + " frames for " + connections + " connections");
        }
        Files.createDirectories(dir);
        String stem = "bulk-tcp-v" + FORMAT + "-" + framesPerSide + "f-" + connections + "c-seed" + seed;
        Path p = dir.resolve(stem + "-primary.pcap");
        Path s = dir.resolve(stem + "-secondary.pcap");
        BulkTcpPair pair = new BulkTcpPair(p, s, framesPerSide, connections);
        // Twins have the same length, so a complete pair has two files of the same size.
        if (Files.isRegularFile(p) && Files.isRegularFile(s) && Files.size(p) == Files.size(s) && Files.size(p) > 24) {
            if (log != null) {
                log.printf("using cached pair %s, %s%n", p, s);
            }
            return pair;
        }
        if (log != null) {
            log.printf("generating %,d frames per side over %d connections into %s ...%n", framesPerSide, connections, dir);
        }
        long t0 = System.nanoTime();
        Path pTmp = dir.resolve(stem + "-primary.pcap.tmp");
        Path sTmp = dir.resolve(stem + "-secondary.pcap.tmp");
        write(pTmp, sTmp, framesPerSide, connections, seed);
        Files.move(sTmp, s, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(pTmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (log != null) {
            log.printf("generated in %.1f s: %s (%,d bytes), %s%n", (System.nanoTime() - t0) / 1e9, p, Files.size(p), s);
        }
        return pair;
    }

    /** Writes the two captures; see the class comment for what they hold. Deterministic for a seed. */
    static void write(Path primaryOut, Path secondaryOut, long framesPerSide, int connections, long seed)
            throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] pool = new byte[PAYLOAD_POOL + MSS];
        for (int i = 0; i < pool.length; i += 8) {
            long v = rnd.nextLong();
            for (int j = 0; j < 8 && i + j < pool.length; j++) {
                pool[i + j] = (byte) (v >>> (8 * j));
            }
        }
        int[] clientAck = new int[connections];
        int[] isnP = new int[connections];
        int[] isnS = new int[connections];
        int[] ipIdP = new int[connections];
        int[] ipIdS = new int[connections];
        long[] sent = new long[connections];
        long[] dataLeft = new long[connections];
        long data = framesPerSide - 2L * connections;
        for (int c = 0; c < connections; c++) {
            clientAck[c] = rnd.nextInt() + 1; // the client's ISN + 1: the same on both sides, it is the client's
            isnP[c] = rnd.nextInt();
            isnS[c] = rnd.nextInt();
            ipIdP[c] = rnd.nextInt(0x10000);
            ipIdS[c] = rnd.nextInt(0x10000);
            dataLeft[c] = data / connections + (c < data % connections ? 1 : 0);
        }
        // Connections still sending data, picked from at random; one leaves (after its FIN) when its share is sent.
        int[] active = new int[connections];
        int activeCount = 0;
        FrameBuilder pb = new FrameBuilder();
        FrameBuilder sb = new FrameBuilder();
        byte[] pf = new byte[2048];
        byte[] sf = new byte[2048];
        long k = 0;
        try (PacketFileWriter pw = PacketFileWriter.pcap(primaryOut, LinkType.ETHERNET, 262144, true);
             PacketFileWriter sw = PacketFileWriter.pcap(secondaryOut, LinkType.ETHERNET, 262144, true)) {
            // Handshakes first: each connection's SYN-ACK.
            for (int c = 0; c < connections; c++) {
                int flags = TcpFlyweight.SYN | TcpFlyweight.ACK;
                int pl = pb.ipId(ipIdP[c]++).tcp4(pf, 0, SERVER_IP, clientIp(c), SERVER_PORT, FIRST_CLIENT_PORT + c,
                        isnP[c], clientAck[c], flags, pool, 0, 0);
                int sl = sb.ipId(ipIdS[c]++).tcp4(sf, 0, SERVER_IP, clientIp(c), SERVER_PORT, FIRST_CLIENT_PORT + c,
                        isnS[c], clientAck[c], flags, pool, 0, 0);
                writeTwins(pw, sw, k++, rnd, pf, pl, sf, sl);
                if (dataLeft[c] > 0) {
                    active[activeCount++] = c;
                } else {
                    k = fin(pw, sw, k, rnd, c, pb, sb, pf, sf, isnP, isnS, ipIdP, ipIdS, clientAck, sent, pool);
                }
            }
            while (activeCount > 0) {
                int a = rnd.nextInt(activeCount);
                int c = active[a];
                int at = rnd.nextInt(PAYLOAD_POOL);
                int flags = TcpFlyweight.ACK | TcpFlyweight.PSH;
                int rel = (int) sent[c] + 1;
                int pl = pb.ipId(ipIdP[c]++).tcp4(pf, 0, SERVER_IP, clientIp(c), SERVER_PORT, FIRST_CLIENT_PORT + c,
                        isnP[c] + rel, clientAck[c], flags, pool, at, MSS);
                int sl = sb.ipId(ipIdS[c]++).tcp4(sf, 0, SERVER_IP, clientIp(c), SERVER_PORT, FIRST_CLIENT_PORT + c,
                        isnS[c] + rel, clientAck[c], flags, pool, at, MSS);
                writeTwins(pw, sw, k++, rnd, pf, pl, sf, sl);
                sent[c] += MSS;
                if (--dataLeft[c] == 0) {
                    active[a] = active[--activeCount];
                    k = fin(pw, sw, k, rnd, c, pb, sb, pf, sf, isnP, isnS, ipIdP, ipIdS, clientAck, sent, pool);
                }
            }
        }
        if (k != framesPerSide) {
            throw new IllegalStateException("generator wrote " + k + " frames per side, expected " + framesPerSide);
        }
    }

    private static long fin(PacketFileWriter pw, PacketFileWriter sw, long k, SplittableRandom rnd, int c,
                            FrameBuilder pb, FrameBuilder sb, byte[] pf, byte[] sf, int[] isnP, int[] isnS,
                            int[] ipIdP, int[] ipIdS, int[] clientAck, long[] sent, byte[] pool) throws IOException {
        int flags = TcpFlyweight.FIN | TcpFlyweight.ACK;
        int rel = (int) sent[c] + 1;
        int pl = pb.ipId(ipIdP[c]++).tcp4(pf, 0, SERVER_IP, clientIp(c), SERVER_PORT, FIRST_CLIENT_PORT + c,
                isnP[c] + rel, clientAck[c], flags, pool, 0, 0);
        int sl = sb.ipId(ipIdS[c]++).tcp4(sf, 0, SERVER_IP, clientIp(c), SERVER_PORT, FIRST_CLIENT_PORT + c,
                isnS[c] + rel, clientAck[c], flags, pool, 0, 0);
        writeTwins(pw, sw, k, rnd, pf, pl, sf, sl);
        return k + 1;
    }

    private static void writeTwins(PacketFileWriter pw, PacketFileWriter sw, long k, SplittableRandom rnd,
                                   byte[] pf, int pl, byte[] sf, int sl) throws IOException {
        long t = START_NANOS + k * FRAME_SPACING_NANOS;
        pw.write(t, pf, 0, pl, pl);
        sw.write(t + SECONDARY_LAG_NANOS + rnd.nextInt(SECONDARY_JITTER_NANOS), sf, 0, sl, sl);
    }
}
