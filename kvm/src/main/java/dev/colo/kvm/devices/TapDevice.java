package dev.colo.kvm.devices;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.colo.kvm.sys.Errno;
import dev.colo.kvm.sys.KvmException;
import dev.colo.kvm.sys.LibC;
import java.nio.charset.StandardCharsets;

/**
 * A TAP device opened through /dev/net/tun (IFF_TAP | IFF_NO_PI: one read or write is one Ethernet
 * frame, no packet-info prefix). The device lives as long as the fd; the host side configures it
 * (address, bridge, namespace) with ordinary tools.
 */
public final class TapDevice implements NetBackend {
    public static final long TUNSETIFF = 0x400454caL;
    public static final short IFF_TAP = 0x0002;
    public static final short IFF_NO_PI = 0x1000;
    public static final int IFREQ_SIZE = 40;
    public static final int IFREQ_FLAGS = 16;
    public static final int IFNAMSIZ = 16;

    private final int fd;
    private final String name;
    private final Memory pollFd = new Memory(8);
    private long transmitted;
    private long received;
    private long dropped;

    private TapDevice(int fd, String name) {
        this.fd = fd;
        this.name = name;
        pollFd.setInt(0, fd);
        pollFd.setShort(4, LibC.POLLIN);
    }

    /** Creates (or attaches to) TAP device {@code name}; an empty name lets the kernel choose "tapN". */
    public static TapDevice open(String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length >= IFNAMSIZ) {
            throw new KvmException("tap device name '" + name + "' longer than " + (IFNAMSIZ - 1) + " characters");
        }
        int fd;
        try {
            fd = LibC.open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new KvmException("cannot open /dev/net/tun: " + Errno.describe(e.getErrorCode()) + " (modprobe tun?)", e.getErrorCode());
        }
        try (Memory ifreq = new Memory(IFREQ_SIZE)) {
            ifreq.clear();
            ifreq.write(0, n, 0, n.length);
            ifreq.setShort(IFREQ_FLAGS, (short) (IFF_TAP | IFF_NO_PI));
            try {
                LibC.ioctl(fd, TUNSETIFF, ifreq);
            } catch (LastErrorException e) {
                LibC.close(fd);
                throw new KvmException("cannot create tap device '" + name + "': " + Errno.describe(e.getErrorCode())
                        + (e.getErrorCode() == 16 ? " (another process holds it)" : ""), e.getErrorCode());
            }
            return new TapDevice(fd, ifreq.getString(0, StandardCharsets.US_ASCII.name()));
        }
    }

    public String name() {
        return name;
    }

    @Override
    public void transmit(long src, int length) {
        if (LibC.write(fd, src, length) < 0) {
            dropped++; // EAGAIN (queue full), EIO (link down): a NIC drops, the guest's TCP retransmits
        } else {
            transmitted++;
        }
    }

    @Override
    public int receive(long dst, int capacity) {
        long n = LibC.read(fd, dst, capacity);
        if (n >= 0) {
            received++;
            return (int) n;
        }
        int errno = LibC.errno();
        if (errno == LibC.EAGAIN) {
            return -1;
        }
        throw new KvmException("reading tap " + name + ": " + Errno.describe(errno), errno);
    }

    @Override
    public boolean awaitFrame(int timeoutMillis) {
        try {
            return LibC.poll(pollFd, 1, timeoutMillis) > 0;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
                return false;
            }
            throw new KvmException("poll on tap " + name + ": " + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
    }

    public long transmitted() {
        return transmitted;
    }

    public long received() {
        return received;
    }

    public long dropped() {
        return dropped;
    }

    @Override
    public String describe() {
        return "tap " + name;
    }

    @Override
    public void close() {
        LibC.close(fd);
        pollFd.close();
    }
}
