package dev.colo.proxy.io;

import dev.colo.lab.Netns;
import dev.colo.lab.Shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.proxy.io.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Errors say which port, which interface and which errno; bad specs list the choices. */
class PortErrorsTest {
    private static final String MISSING = "nx" + ProcessHandle.current().pid() + "z";

    @Test
    void afpacketOnAMissingInterfaceSaysSo() {
        PortException e = assertThrows(PortException.class,
                () -> FramePorts.open(FramePortType.AFPACKET, MISSING, PortOptions.defaults()));
        assertEquals("afpacket " + MISSING + ": no such interface '" + MISSING + "' (ip link show?)", e.getMessage());
    }

    @Test
    void pcapOnAMissingInterfaceSaysSo() {
        PcapPortTest.libpcap(); // without libpcap the error is that one (missingLibpcapSaysWhatToInstall)
        PortException e = assertThrows(PortException.class, () -> FramePorts.open("pcap:" + MISSING, PortOptions.defaults()));
        assertTrue(e.getMessage().contains("no such interface '" + MISSING + "'"), e.getMessage());
    }

    @Test
    void missingLibpcapSaysWhatToInstall() throws Exception {
        String out = probe(List.of(), "-Dorg.pcap4j.core.pcapLibName=colo-no-such-pcap", "pcap:lo");
        assertTrue(out.contains("pcap lo: libpcap not found: apt-get install libpcap0.8"), out);
    }

    @Test
    void afpacketWithoutCapNetRawSaysWhatItNeeds() throws Exception {
        Assumptions.assumeTrue(Shell.quietly("setpriv", "--bounding-set", "-net_raw", "true"),
                "needs root and setpriv (util-linux) to drop CAP_NET_RAW");
        String out = probe(List.of("setpriv", "--bounding-set", "-net_raw"), "-Dunused=1", "afpacket:lo");
        assertTrue(out.contains("afpacket lo: socket(AF_PACKET): EPERM (operation not permitted) (AF_PACKET needs CAP_NET_RAW"), out);
    }

    /** Opens {@code spec} in a fresh JVM (started through {@code wrapper}) and returns what it printed. */
    private static String probe(List<String> wrapper, String property, String spec) throws Exception {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), property,
                "-cp", System.getProperty("java.class.path"), OpenProbe.class.getName(), spec));
        return Shell.run(cmd.toArray(String[]::new));
    }

    @Test
    void badPcapFilterIsNamed() {
        Assumptions.assumeTrue(Shell.quietly("sh", "-c", "[ \"$(id -u)\" = 0 ] && ldconfig -p | grep -q libpcap.so"),
                "needs root and libpcap (apt-get install libpcap0.8)");
        PortException e = assertThrows(PortException.class,
                () -> FramePorts.open("pcap:lo", PortOptions.defaults().withPcapFilter("tcp port nonsense")));
        assertTrue(e.getMessage().startsWith("pcap lo (filter 'tcp port nonsense'): bad pcap filter 'tcp port nonsense'"),
                e.getMessage());
    }

    @Test
    void secondOpenOfATapNamesTheHolder() throws Exception {
        assumeTun();
        String tap = Netns.ifname("b");
        try (TapPort first = TapPort.open(tap, PortOptions.defaults())) {
            assertEquals(tap, first.interfaceName());
            PortException e = assertThrows(PortException.class, () -> TapPort.open(tap, PortOptions.defaults()));
            assertEquals(Errno.EBUSY, e.errno());
            assertTrue(e.getMessage().startsWith("tap " + tap + ": ioctl(TUNSETIFF): EBUSY (device or resource busy) (tap '"
                    + tap + "' is held by another process"), e.getMessage());
            assertTrue(e.getMessage().contains("multi_queue"), e.getMessage());
        }
    }

    @Test
    void tapOnAnInterfaceThatIsNoTap() {
        assumeTun();
        PortException e = assertThrows(PortException.class, () -> TapPort.open("lo", PortOptions.defaults()));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("'lo' exists but is not a tap"), e.getMessage());
    }

    @Test
    void closedPortsRefuseIoAndHeapBuffersAreRejected() throws Exception {
        assumeTun();
        TapPort port = TapPort.open(Netns.ifname("h"), PortOptions.defaults());
        try {
            assertEquals(0, port.receive(ByteBuffer.allocateDirect(100)), "no frame waits");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> port.receive(ByteBuffer.allocate(100)));
            assertTrue(e.getMessage().contains("direct"), e.getMessage());
        } finally {
            port.close();
        }
        port.close(); // twice is harmless
        PortException e = assertThrows(PortException.class, () -> port.receive(ByteBuffer.allocateDirect(100)));
        assertTrue(e.getMessage().endsWith(": closed"), e.getMessage());
    }

    @Test
    void specsParse() {
        assertEquals(new PortSpec(FramePortType.AFPACKET, "veth0"), PortSpec.parse("afpacket:veth0"));
        assertEquals(new PortSpec(FramePortType.TAP, "colo0"), PortSpec.parse("TAP:colo0"));
        assertEquals(new PortSpec(FramePortType.PCAP, "eth1"), PortSpec.parse("pcap:eth1"));
        assertEquals(new PortSpec(FramePortType.AFPACKET, "eth2"), PortSpec.parse("eth2"), "bare name: the default backend");
        assertEquals("tap:colo0", PortSpec.parse("tap:colo0").toString());
    }

    @Test
    void badSpecsListTheChoices() {
        String[] bad = {"foo:eth0", "afpacket:", "", "tap:abcdefghijklmnop", "pcap:eth 1", "afpacket:a/b"};
        String[] why = {"unknown backend 'foo'", "interface name missing", "empty", "longer than 15 characters",
            "has a character", "has a character"};
        for (int i = 0; i < bad.length; i++) {
            String spec = bad[i];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortSpec.parse(spec));
            assertTrue(e.getMessage().contains(why[i]), e.getMessage());
            assertTrue(e.getMessage().contains("TYPE one of afpacket, tap, pcap (e.g. afpacket:veth0"), e.getMessage());
        }
    }

    @Test
    void optionsRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> PortOptions.defaults().withSocketBufferBytes(0));
        assertThrows(IllegalArgumentException.class, () -> PortOptions.defaults().withSnaplen(10));
        assertEquals(null, PortOptions.defaults().withPcapFilter(" ").pcapFilter());
    }

    private static void assumeTun() {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun (modprobe tun)");
        Assumptions.assumeTrue(Shell.quietly("sh", "-c", "[ \"$(id -u)\" = 0 ]"), "needs root (creates taps)");
    }
}
