package dev.colo.cli.tune;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.TcpFlyweight;
import dev.colo.pcap.LinkType;
import dev.colo.pcap.PacketFileWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A generated pair: the VM answers one HTTP request; the PVM's and the SVM's responses are given (for rule finding). */
final class HttpPair {
    private HttpPair() {
    }

    static TuneSweep.Pair write(Path dir, String name, String pvmResponse, String svmResponse) throws IOException {
        Path pair = Files.createDirectories(dir.resolve(name));
        write(pair.resolve("pvm.pcap"), pvmResponse, 0);
        write(pair.resolve("svm.pcap"), svmResponse, 20_000);
        return new TuneSweep.Pair(name, pair.resolve("pvm.pcap"), pair.resolve("svm.pcap"));
    }

    private static void write(Path file, String response, long lag) throws IOException {
        FrameBuilder fb = new FrameBuilder();
        int vm = FrameBuilder.ipv4(10, 77, 0, 2);
        int client = FrameBuilder.ipv4(10, 77, 0, 1);
        byte[] frame = new byte[2048];
        byte[] body = response.getBytes(StandardCharsets.US_ASCII);
        long t = 1_700_000_000_000_000_000L + lag;
        try (PacketFileWriter w = PacketFileWriter.pcap(file, LinkType.ETHERNET, 65535, true)) {
            int n = fb.tcp4(frame, 0, vm, client, 80, 40000, 1000, 5001, TcpFlyweight.SYN | TcpFlyweight.ACK, new byte[0], 0, 0);
            w.write(t, frame, 0, n, n);
            n = fb.tcp4(frame, 0, vm, client, 80, 40000, 1001, 5001 + 78, TcpFlyweight.PSH | TcpFlyweight.ACK, body, 0, body.length);
            w.write(t + 1_000_000L, frame, 0, n, n);
            n = fb.tcp4(frame, 0, vm, client, 80, 40000, 1001 + body.length, 5001 + 78, TcpFlyweight.FIN | TcpFlyweight.ACK, new byte[0], 0, 0);
            w.write(t + 2_000_000L, frame, 0, n, n);
        }
    }
}
