package dev.colo.cli.tune;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.TcpFlyweight;
import dev.colo.pcap.LinkType;
import dev.colo.pcap.PacketFileWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A generated capture pair (written with the pcaps module's writer): a client uploads to the VM, and the VM's output
 * is its SYN-ACK and then one bare ACK per received segment, {@link #ACKS} of them 1 us apart. The SVM sends the very
 * same frames 5 ms late (a lagging secondary). Each PVM ACK waits for the SVM's: without thin ACKs
 * (--thin-acks-after 0) more than any grid queue limit pile up, and the comparator asks for QUEUE_FULL checkpoints.
 */
final class UploadPair {
    static final int ACKS = 6000;
    static final long START = 1_700_000_000_000_000_000L;
    static final long LAG = 5_000_000L;

    private UploadPair() {
    }

    /** Writes DIR/upload/pvm.pcap and svm.pcap; returns the folder. */
    static Path write(Path dir) throws IOException {
        Path pair = Files.createDirectories(dir.resolve("upload"));
        write(pair.resolve("pvm.pcap"), 0);
        write(pair.resolve("svm.pcap"), LAG);
        return pair;
    }

    private static void write(Path file, long lag) throws IOException {
        FrameBuilder fb = new FrameBuilder();
        int vm = FrameBuilder.ipv4(10, 77, 0, 2);
        int client = FrameBuilder.ipv4(10, 77, 0, 1);
        int serverIsn = 1000;
        int clientIsn = 5000;
        byte[] frame = new byte[2048];
        byte[] none = new byte[0];
        try (PacketFileWriter w = PacketFileWriter.pcap(file, LinkType.ETHERNET, 65535, true)) {
            int n = fb.tcp4(frame, 0, vm, client, 5001, 40000, serverIsn, clientIsn + 1, TcpFlyweight.SYN | TcpFlyweight.ACK, none, 0, 0);
            w.write(START + lag / 100, frame, 0, n, n);
            for (int k = 1; k <= ACKS; k++) {
                n = fb.tcp4(frame, 0, vm, client, 5001, 40000, serverIsn + 1, clientIsn + 1 + k * 1448, TcpFlyweight.ACK, none, 0, 0);
                w.write(START + 1_000_000L + lag + k * 1_000L, frame, 0, n, n);
            }
        }
    }
}
