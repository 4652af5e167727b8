package dev.colo.proxy.io;

import com.sun.jna.Memory;
import dev.colo.proxy.io.sys.Errno;
import dev.colo.proxy.io.sys.LibC;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The default backend: an AF_PACKET raw socket bound to one existing interface (tap, veth or NIC). Frames
 * go straight between the caller's direct buffer and the kernel (recv/send on its native address); nothing
 * is allocated per frame.
 *
 * <p>Frames this socket sends are not read back (PACKET_IGNORE_OUTGOING, which also hides everything else
 * the host transmits on the interface: the proxy only wants what arrives from the wire or VM). The
 * interface is put in promiscuous mode through a packet membership, which the kernel drops when the socket
 * closes, so a crash never leaves it behind.
 *
 * <p>With GRO/GSO on (the default on veth and tap), the socket may see super-frames up to 64 KiB: receive
 * into buffers of at least {@link FramePorts#MAX_FRAME} bytes; such frames are counted in
 * {@link PortStats#oversize()}. For COLO turn offloads off: {@code ethtool -K IF gro off gso off tso off}.
 *
 * <p>By default frames are received through a memory-mapped ring ({@link PacketRxRing}): no system call
 * per frame while frames wait.
 *
 * <p>One thread receives and one other thread may send.
 */
public final class AfPacketPort extends AbstractFramePort {
    private static final int SOCKADDR_LL_SIZE = 20;
    private static final int PACKET_MREQ_SIZE = 16;
    /** Ethernet header plus two VLAN tags: the most a frame may add to the MTU. */
    private static final int MAX_LINK_HEADERS = 14 + 2 * 4;

    private final int fd;
    private final int mtu;
    private final BufferAddress receiveAddress = new BufferAddress();
    private final BufferAddress sendAddress = new BufferAddress();
    private final Memory packetStatistics = new Memory(8 + 4); // struct tpacket_stats, then its length
    private long kernelDrops;
    /** Null: one recv per frame. */
    private final PacketRxRing ring;

    private AfPacketPort(String name, int fd, int mtu, PacketRxRing ring, FdWaiter waiter) {
        super(name, waiter);
        this.fd = fd;
        this.mtu = mtu;
        this.ring = ring;
    }

    /** Opens a socket on interface {@code ifname} of this process's network namespace. */
    public static AfPacketPort open(String ifname, PortOptions options) throws PortException {
        String name = "afpacket " + ifname;
        PortSpec.checkInterfaceName(name, ifname);
        int ifindex = LibC.if_nametoindex(ifname);
        if (ifindex == 0) {
            throw new PortException(name, "no such interface '" + ifname + "' (ip link show?)");
        }
        // protocol 0 receives nothing: no frame of another interface slips in before bind
        int fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            int errno = LibC.errno();
            throw new PortException(name, "socket(AF_PACKET)", errno,
                    errno == Errno.EPERM ? "AF_PACKET needs CAP_NET_RAW: run as root or setcap cap_net_raw+ep" : null);
        }
        PacketRxRing ring = null;
        try (Memory scratch = new Memory(LibC.IFREQ_SIZE)) {
            int mtu = linkMtu(name, fd, ifname, scratch);
            setBuffer(name, fd, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF, options.socketBufferBytes(), scratch);
            setBuffer(name, fd, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF, options.socketBufferBytes(), scratch);
            int errno = setInt(fd, LibC.SOL_PACKET, LibC.PACKET_IGNORE_OUTGOING, 1, scratch);
            if (errno != 0) {
                throw new PortException(name, "setsockopt(PACKET_IGNORE_OUTGOING)", errno, "needs Linux 4.20 or later");
            }
            // The ring before bind: no frame may sit in the socket's plain queue, which readiness would then report forever.
            ring = options.rxRing() ? PacketRxRing.map(name, fd, mtu, options.socketBufferBytes()) : null;
            bind(name, fd, ifindex, scratch);
            if (options.promiscuous()) {
                promiscuous(name, fd, ifindex, scratch);
            }
            return new AfPacketPort(name, fd, mtu, ring, new FdWaiter(name, fd));
        } catch (PortException | RuntimeException e) {
            if (ring != null) {
                ring.close();
            }
            LibC.close(fd);
            throw e;
        }
    }

    /** The interface's MTU, after checking that it carries Ethernet frames. */
    private static int linkMtu(String name, int fd, String ifname, Memory ifreq) throws PortException {
        ifreq.clear();
        ifreq.write(0, ifname.getBytes(StandardCharsets.US_ASCII), 0, ifname.length());
        if (LibC.ioctl(fd, LibC.SIOCGIFHWADDR, ifreq) < 0) {
            throw new PortException(name, "ioctl(SIOCGIFHWADDR)", LibC.errno(), null);
        }
        int hardware = ifreq.getShort(LibC.IFREQ_UNION) & 0xffff;
        if (hardware != LibC.ARPHRD_ETHER && hardware != LibC.ARPHRD_LOOPBACK) {
            throw new PortException(name, "'" + ifname + "' does not carry Ethernet frames (ARPHRD " + hardware
                    + "; a tun device or a tunnel?)");
        }
        if (LibC.ioctl(fd, LibC.SIOCGIFMTU, ifreq) < 0) {
            throw new PortException(name, "ioctl(SIOCGIFMTU)", LibC.errno(), null);
        }
        return ifreq.getInt(LibC.IFREQ_UNION);
    }

    /** The forcing option works for root beyond net.core.[rw]mem_max; others get what the limit allows. */
    private static void setBuffer(String name, int fd, int forceOption, int option, int bytes, Memory scratch)
            throws PortException {
        if (setInt(fd, LibC.SOL_SOCKET, forceOption, bytes, scratch) == 0) {
            return;
        }
        int errno = setInt(fd, LibC.SOL_SOCKET, option, bytes, scratch);
        if (errno != 0) {
            throw new PortException(name, "setsockopt(SO_RCVBUF/SO_SNDBUF " + bytes + ")", errno, null);
        }
    }

    private static int setInt(int fd, int level, int option, int value, Memory scratch) {
        scratch.setInt(0, value);
        return LibC.setsockopt(fd, level, option, scratch, 4) == 0 ? 0 : LibC.errno();
    }

    private static void bind(String name, int fd, int ifindex, Memory scratch) throws PortException {
        scratch.clear();
        scratch.setShort(0, (short) LibC.AF_PACKET); // sll_family
        scratch.setShort(2, LibC.htons(LibC.ETH_P_ALL)); // sll_protocol
        scratch.setInt(4, ifindex); // sll_ifindex
        if (LibC.bind(fd, scratch, SOCKADDR_LL_SIZE) < 0) {
            throw new PortException(name, "bind", LibC.errno(), null);
        }
    }

    private static void promiscuous(String name, int fd, int ifindex, Memory scratch) throws PortException {
        scratch.clear();
        scratch.setInt(0, ifindex); // mr_ifindex
        scratch.setShort(4, LibC.PACKET_MR_PROMISC); // mr_type
        if (LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_ADD_MEMBERSHIP, scratch, PACKET_MREQ_SIZE) < 0) {
            throw new PortException(name, "setsockopt(PACKET_ADD_MEMBERSHIP, PROMISC)", LibC.errno(), null);
        }
    }

    @Override
    public int receive(ByteBuffer dst) throws PortException {
        int room = roomToReceive(dst);
        int position = dst.position();
        if (ring != null) {
            return receiveFromRing(dst, position, room);
        }
        return recv(dst, position, room);
    }

    private int receiveFromRing(ByteBuffer dst, int position, int room) throws PortException {
        int status = ring.peek();
        if (status == 0) {
            return 0;
        }
        if (PacketRxRing.copyNeeded(status)) {
            // Too big for a slot: the whole frame also waits in the socket's queue.
            int n = recv(dst, position, room);
            ring.release();
            return n;
        }
        int length = ring.frameLength();
        ring.copyTo(dst, position, room);
        ring.release();
        return accept(dst, position, room, length);
    }

    private int recv(ByteBuffer dst, int position, int room) throws PortException {
        long address = receiveAddress.of(dst) + position;
        while (true) {
            // MSG_TRUNC: the kernel copies what fits but returns the frame's real length
            long length = LibC.recv(fd, address, room, LibC.MSG_TRUNC);
            if (length > 0) {
                return accept(dst, position, room, (int) length);
            }
            if (length == 0) {
                return 0; // an empty frame carries nothing to hand on
            }
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN) {
                return 0;
            }
            if (errno != Errno.EINTR) {
                stats.countError();
                throw new PortException(name, "recv", errno,
                        errno == Errno.ENETDOWN ? "the interface went down; receiving may go on once it is up" : null);
            }
        }
    }

    private int accept(ByteBuffer dst, int position, int room, int length) {
        if (length > mtu + MAX_LINK_HEADERS) {
            stats.countOversize();
        }
        if (length > room) {
            stats.countTruncated();
            length = room;
        }
        dst.position(position + length);
        stats.countReceived(length);
        return length;
    }

    @Override
    public boolean send(ByteBuffer frame) throws PortException {
        checkOpen();
        int length = frame.remaining();
        long address = sendAddress.of(frame) + frame.position();
        while (true) {
            if (LibC.send(fd, address, length, 0) >= 0) {
                stats.countSent(length);
                return true;
            }
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN || errno == Errno.ENOBUFS) {
                stats.countSendDropped(); // the socket or device queue is full: drop as a NIC would
                return false;
            }
            if (errno != Errno.EINTR) {
                stats.countError();
                throw new PortException(name, "send of a " + length + "-byte frame", errno, switch (errno) {
                    case Errno.EMSGSIZE -> "longer than MTU " + mtu + " plus the Ethernet header";
                    case Errno.ENETDOWN -> "the interface is down";
                    case Errno.EINVAL -> "shorter than an Ethernet header?";
                    default -> null;
                });
            }
        }
    }



    /**
     * Frames the kernel dropped because the socket's receive queue or ring was full (the receiver fell
     * behind), since the port opened; -1 once closed or when the kernel does not say. Any thread; a system
     * call, so for monitoring, not per frame.
     */
    @Override
    public synchronized long kernelDrops() {
        packetStatistics.setInt(8, 8);
        if (closed || LibC.getsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_STATISTICS, packetStatistics, packetStatistics.share(8)) < 0) {
            return -1;
        }
        kernelDrops += packetStatistics.getInt(4) & 0xffffffffL; // tp_drops; the kernel resets it on each read
        return kernelDrops;
    }

    /** Whether frames are received through the memory-mapped ring. */
    public boolean usesRing() {
        return ring != null;
    }

    /** The interface's MTU when the port was opened. */
    public int mtu() {
        return mtu;
    }




    /** Closing the socket also ends promiscuous mode. */
    @Override
    protected void releaseResources() {
        if (ring != null) {
            ring.close();
        }
        LibC.close(fd);
        packetStatistics.close();
    }
}
