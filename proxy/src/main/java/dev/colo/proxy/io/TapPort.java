package dev.colo.proxy.io;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.colo.proxy.io.sys.Errno;
import dev.colo.proxy.io.sys.LibC;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A TAP device through /dev/net/tun (IFF_TAP | IFF_NO_PI: one read or write is one whole Ethernet frame):
 * the appliance is the VM's NIC. What we write, the host receives on the tap; what the host sends out of
 * the tap, we read. Creates the tap, or attaches to an existing persistent one ({@code ip tuntap add NAME
 * mode tap}). The tap lives as long as the fd (unless persistent) and keeps working when moved to another
 * network namespace. Without IFF_VNET_HDR the kernel segments GSO frames before they reach us, so frames
 * never exceed the MTU.
 *
 * <p>read(2) on a tap cuts a long frame silently, so a receive buffer shorter than
 * {@link FramePorts#MAX_FRAME} is filled through an internal scratch buffer (one extra copy) to learn the
 * real length and count the truncation; offer MAX_FRAME bytes to read straight into the buffer.
 *
 * <p>One thread receives and one other thread may send; nothing is allocated per frame.
 */
public final class TapPort extends AbstractFramePort {
    public static final long TUNSETIFF = 0x400454caL;
    public static final short IFF_TAP = 0x0002;
    public static final short IFF_MULTI_QUEUE = 0x0100;
    public static final short IFF_NO_PI = 0x1000;

    private final String ifname;
    private final int fd;
    private final BufferAddress receiveAddress = new BufferAddress();
    private final BufferAddress sendAddress = new BufferAddress();
    private Memory scratch;

    private TapPort(String ifname, int fd, FdWaiter waiter) {
        super("tap " + ifname, waiter);
        this.ifname = ifname;
        this.fd = fd;
    }

    /** Creates tap {@code ifname} or attaches to it if it exists; an empty name lets the kernel pick "tapN". */
    public static TapPort open(String ifname, PortOptions options) throws PortException {
        String name = "tap " + ifname;
        if (!ifname.isEmpty()) {
            PortSpec.checkInterfaceName(name, ifname);
        }
        int fd = LibC.open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = LibC.errno();
            throw new PortException(name, "open /dev/net/tun", errno, switch (errno) {
                case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO -> "no tun driver: modprobe tun";
                case Errno.EACCES, Errno.EPERM -> "needs root or read-write access to /dev/net/tun";
                default -> null;
            });
        }
        try (Memory ifreq = new Memory(LibC.IFREQ_SIZE)) {
            ifreq.clear();
            ifreq.write(0, ifname.getBytes(StandardCharsets.US_ASCII), 0, ifname.length());
            ifreq.setShort(LibC.IFREQ_UNION, (short) (IFF_TAP | IFF_NO_PI | (options.tapMultiQueue() ? IFF_MULTI_QUEUE : 0)));
            if (LibC.ioctl(fd, TUNSETIFF, ifreq) < 0) {
                int errno = LibC.errno();
                throw new PortException(name, "ioctl(TUNSETIFF)", errno, tunsetiffHint(ifname, errno));
            }
            String actual = ifreq.getString(0, StandardCharsets.US_ASCII.name());
            return new TapPort(actual, fd, new FdWaiter("tap " + actual, fd));
        } catch (PortException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    private static String tunsetiffHint(String ifname, int errno) {
        return switch (errno) {
            case Errno.EBUSY -> "tap '" + ifname + "' is held by another process; a second open fails unless the tap is"
                    + " multi-queue (ip tuntap add " + ifname + " mode tap multi_queue, and PortOptions.withTapMultiQueue);"
                    + " or use afpacket:" + ifname + " beside its owner";
            case Errno.EPERM -> "needs CAP_NET_ADMIN, or to be the owner of a persistent tap (ip tuntap add ... user U)";
            case Errno.EINVAL -> "'" + ifname + "' exists but is not a tap, or its multi-queue setting differs";
            default -> null;
        };
    }

    @Override
    public int receive(ByteBuffer dst) throws PortException {
        int room = roomToReceive(dst);
        int position = dst.position();
        long address = receiveAddress.of(dst) + position;
        // read(2) on a tap cuts a long frame silently, returning only what it copied: a buffer that may be
        // too short gets the frame through a scratch buffer, where its real length shows
        boolean viaScratch = room < FramePorts.MAX_FRAME;
        while (true) {
            long length = viaScratch ? LibC.read(fd, scratch(), FramePorts.MAX_FRAME) : LibC.read(fd, address, room);
            if (length > 0) {
                int kept = (int) Math.min(length, room);
                if (length > room) {
                    stats.countTruncated();
                }
                if (viaScratch) {
                    LibC.memcpy(address, scratch(), kept);
                }
                dst.position(position + kept);
                stats.countReceived(kept);
                return kept;
            }
            if (length == 0) {
                return 0;
            }
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN) {
                return 0;
            }
            if (errno != Errno.EINTR) {
                stats.countError();
                throw new PortException(name, "read", errno, null);
            }
        }
    }

    private long scratch() {
        if (scratch == null) {
            scratch = new Memory(FramePorts.MAX_FRAME);
        }
        return Pointer.nativeValue(scratch);
    }

    @Override
    public boolean send(ByteBuffer frame) throws PortException {
        checkOpen();
        int length = frame.remaining();
        long address = sendAddress.of(frame) + frame.position();
        while (true) {
            if (LibC.write(fd, address, length) >= 0) {
                stats.countSent(length);
                return true;
            }
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN || errno == Errno.ENOBUFS || errno == Errno.EIO) {
                stats.countSendDropped(); // queue full, or (EIO) the tap is down: a NIC drops too
                return false;
            }
            if (errno != Errno.EINTR) {
                stats.countError();
                throw new PortException(name, "write of a " + length + "-byte frame", errno,
                        errno == Errno.EINVAL ? "shorter than an Ethernet header?" : null);
            }
        }
    }



    /** The tap's name (the kernel's choice when opened with an empty name). */
    public String interfaceName() {
        return ifname;
    }




    /** Closing the fd makes a non-persistent tap disappear. */
    @Override
    protected void releaseResources() {
        LibC.close(fd);
        if (scratch != null) {
            scratch.close();
        }
    }
}
