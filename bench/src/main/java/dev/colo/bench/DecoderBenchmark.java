package dev.colo.bench;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.packet.TcpFlyweight;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Nanoseconds per {@link FrameDecoder#decode} of one frame into a reused {@link FrameInfo}: headers only,
 * so the cost does not depend on the payload size. Subtract it from {@link ComparatorBenchmark}'s figures
 * for the comparator alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DecoderBenchmark {
    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameInfo info = new FrameInfo();
    private byte[] tcp4;
    private int tcp4Length;
    private byte[] udp6;
    private int udp6Length;
    private byte[] vlanTcp4;
    private int vlanTcp4Length;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] payload = new byte[1448];
        new java.util.SplittableRandom(1).nextBytes(payload);
        int server = FrameBuilder.ipv4(10, 0, 0, 1);
        int client = FrameBuilder.ipv4(10, 0, 1, 1);
        int flags = TcpFlyweight.ACK | TcpFlyweight.PSH;

        tcp4 = new byte[2048];
        tcp4Length = new FrameBuilder().tcp4(tcp4, 0, server, client, 5201, 40000, 1000, 2000, flags, payload, 0, 1448);

        byte[] a = new byte[16];
        byte[] b = new byte[16];
        a[0] = b[0] = (byte) 0xfd;
        a[15] = 1;
        b[15] = 2;
        udp6 = new byte[2048];
        udp6Length = new FrameBuilder().udp6(udp6, 0, a, b, 53, 30000, payload, 0, 128);

        vlanTcp4 = new byte[2048];
        vlanTcp4Length = new FrameBuilder().vlan(100)
                .tcp4(vlanTcp4, 0, server, client, 5201, 40000, 1000, 2000, flags, payload, 0, 1448);

        expect(decoder, info, tcp4, tcp4Length, true, 4, -1);
        expect(decoder, info, udp6, udp6Length, false, 6, -1);
        expect(decoder, info, vlanTcp4, vlanTcp4Length, true, 4, 100);
    }

    /** Fails the trial if a frame does not decode as meant (the benchmark would measure an error path). */
    private static void expect(FrameDecoder d, FrameInfo info, byte[] frame, int length, boolean tcp, int ipVersion, int vlan) {
        d.decode(frame, 0, length, info);
        if (info.isTcp() != tcp || info.ipVersion != ipVersion || info.vlanId != vlan || info.malformation != null) {
            throw new IllegalStateException("frame decoded as " + info.kind + " IPv" + info.ipVersion + " vlan "
                    + info.vlanId + " " + info.malformation);
        }
    }

    @Benchmark
    public int tcpIpv4() {
        decoder.decode(tcp4, 0, tcp4Length, info);
        return info.compareOffset;
    }

    @Benchmark
    public int udpIpv6() {
        decoder.decode(udp6, 0, udp6Length, info);
        return info.compareOffset;
    }

    @Benchmark
    public int vlanTcpIpv4() {
        decoder.decode(vlanTcp4, 0, vlanTcp4Length, info);
        return info.compareOffset;
    }
}
