package dev.colo.proxy.io;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.colo.proxy.io.sys.LibC;
import java.io.EOFException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.Pcaps;

/**
 * The slow, filter-capable backend: libpcap through pcap4j. It takes a BPF capture filter (tcpdump
 * syntax), but pcap4j hands each frame over as a fresh byte array (its design), so every received frame
 * costs an allocation and a copy, and about 7-13 us of CPU against 1.5-2 us for {@link AfPacketPort}
 * (measured with 60-byte frames over a veth pair); prefer AF_PACKET unless a filter is needed. Needs
 * libpcap (Debian: libpcap0.8).
 *
 * <p>libpcap's kernel ring gives each frame a snaplen-sized slot: at the default snaplen (64 KiB) and
 * buffer it holds about 140 frames, and a burst beyond that is dropped in the kernel ({@link #kernelDrops()};
 * measured by NodeLoopTest: 2000 frames sent back to back, 138 received, 1862 dropped). The AF_PACKET
 * backend is the one for traffic.
 *
 * <p>The handle runs non-blocking: on this libpcap (1.10) a blocking read ignored its timeout and, in
 * immediate mode, stalled until the next frame. Waiting is poll(2) on pcap's selectable fd with an
 * eventfd for {@link #wakeup()}; immediate mode (the default) makes the fd readable per frame instead of
 * per TPACKET_V3 block. Frames we send are not captured back (direction IN).
 */
public final class PcapPort extends AbstractFramePort {
    /** How long libpcap may hold frames back when immediate mode is off. */
    private static final int BLOCK_TIMEOUT_MILLIS = 10;

    private final PcapHandle handle;
    private byte[] sendBuffer = new byte[2048];

    private PcapPort(String name, PcapHandle handle, FdWaiter waiter) {
        super(name, waiter);
        this.handle = handle;
    }

    public static PcapPort open(String ifname, PortOptions options) throws PortException {
        String name = "pcap " + ifname + (options.pcapFilter() != null ? " (filter '" + options.pcapFilter() + "')" : "");
        PortSpec.checkInterfaceName(name, ifname);
        checkLibpcap(name);
        if (LibC.if_nametoindex(ifname) == 0) {
            throw new PortException(name, "no such interface '" + ifname + "' (ip link show?)");
        }
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(ifname).snaplen(options.snaplen())
                    .promiscuousMode(options.promiscuous() ? PromiscuousMode.PROMISCUOUS : PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(BLOCK_TIMEOUT_MILLIS).bufferSize(options.socketBufferBytes())
                    .immediateMode(options.pcapImmediate()).build();
        } catch (PcapNativeException e) {
            throw new PortException(name, "pcap_activate: " + e.getMessage()
                    + (e.getMessage().contains("ermitted") ? " (needs CAP_NET_RAW: run as root)" : ""), e);
        }
        try {
            handle.setDirection(PcapHandle.PcapDirection.IN);
            if (options.pcapFilter() != null) {
                try {
                    handle.setFilter(options.pcapFilter(), BpfProgram.BpfCompileMode.OPTIMIZE);
                } catch (PcapNativeException e) {
                    throw new PortException(name, "bad pcap filter '" + options.pcapFilter() + "': " + e.getMessage(), e);
                }
            }
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            int fd = PcapLib.selectableFd(handle);
            if (fd < 0) {
                throw new PortException(name, "libpcap gave no selectable fd");
            }
            return new PcapPort(name, handle, new FdWaiter(name, fd));
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new PortException(name, e.getMessage(), e);
        } catch (PortException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    private static void checkLibpcap(String name) throws PortException {
        try {
            Pcaps.libVersion();
        } catch (LinkageError e) { // UnsatisfiedLinkError, or NoClassDefFoundError after a first failure
            throw new PortException(name, "libpcap not found: apt-get install libpcap0.8", e);
        }
    }

    /** libpcap's count of frames dropped because its buffer was full (pcap_stats ps_drop); -1 when it cannot tell. */
    @Override
    public synchronized long kernelDrops() {
        if (closed) {
            return -1;
        }
        try {
            return handle.getStats().getNumPacketsDropped();
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public int receive(ByteBuffer dst) throws PortException {
        int room = roomToReceive(dst);
        byte[] frame;
        try {
            frame = handle.getNextRawPacketEx();
        } catch (TimeoutException e) {
            return 0; // non-blocking: no frame waits
        } catch (PcapNativeException | EOFException | NotOpenException e) {
            stats.countError();
            throw new PortException(name, "pcap_next_ex: " + e.getMessage(), e);
        }
        if (frame == null || frame.length == 0) {
            return 0;
        }
        Integer original = handle.getOriginalLength();
        int kept = Math.min(frame.length, room);
        if (kept < frame.length || (original != null && original > frame.length)) {
            stats.countTruncated(); // longer than the buffer, or than snaplen
        }
        dst.put(frame, 0, kept);
        stats.countReceived(kept);
        return kept;
    }

    /** Any buffer, heap or direct: pcap4j sends from a byte array, reused here. */
    @Override
    public boolean send(ByteBuffer frame) throws PortException {
        checkOpen();
        int length = frame.remaining();
        if (sendBuffer.length < length) {
            sendBuffer = new byte[Math.max(length, 2 * sendBuffer.length)];
        }
        frame.get(frame.position(), sendBuffer, 0, length);
        try {
            handle.sendPacket(sendBuffer, length);
            stats.countSent(length);
            return true;
        } catch (PcapNativeException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("No buffer space") || message.contains("temporarily unavailable")) {
                stats.countSendDropped();
                return false;
            }
            stats.countError();
            throw new PortException(name, "send of a " + length + "-byte frame: " + message, e);
        } catch (NotOpenException e) {
            throw new PortException(name, "closed", e);
        }
    }






    @Override
    protected void releaseResources() {
        handle.close();
    }

    /**
     * pcap_get_selectable_fd, which pcap4j 1.8.2 does not expose: the pcap_t pointer is read from its
     * private field (pcap4j sits on the class path, so the field is accessible).
     */
    private static final class PcapLib {
        static {
            Native.register(System.getProperty("org.pcap4j.core.pcapLibName", "pcap"));
        }

        static native int pcap_get_selectable_fd(Pointer pcap);

        static int selectableFd(PcapHandle handle) {
            try {
                Field field = PcapHandle.class.getDeclaredField("handle");
                field.setAccessible(true);
                return pcap_get_selectable_fd((Pointer) field.get(handle));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot reach pcap4j's pcap_t (pcap4j other than 1.8.2?)", e);
            }
        }
    }
}
