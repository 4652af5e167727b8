package dev.colo.proxy.io.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libc calls the frame ports need, direct-mapped (JNA's fast path). The calls return -1 on failure
 * and leave errno in {@link Native#getLastError()} instead of throwing LastErrorException: "no frame
 * waits" (EAGAIN) is the common case of a non-blocking receive, and an exception per empty poll would
 * cost a stack trace each time.
 */
public final class LibC {
    // socket(2)
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int ETH_P_ALL = 0x0003;
    // setsockopt(2)
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SOL_PACKET = 263;
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_IGNORE_OUTGOING = 23;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_COPY_THRESH = 7;
    public static final int PACKET_VERSION = 10;
    public static final int TPACKET_V2 = 1;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final short PACKET_MR_PROMISC = 1;
    // recv(2)
    public static final int MSG_TRUNC = 0x20;
    // open(2), eventfd(2), poll(2)
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final short POLLIN = 1;
    // ioctl(2) on sockets: struct ifreq is 40 bytes, the name first, the union at offset 16
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCGIFHWADDR = 0x8927;
    public static final int IFREQ_SIZE = 40;
    public static final int IFREQ_UNION = 16;
    public static final int IFNAMSIZ = 16;
    public static final int ARPHRD_ETHER = 1;
    public static final int ARPHRD_LOOPBACK = 772;

    static {
        Native.register("c");
    }

    private LibC() {
    }

    /** Host to network order for a 16-bit value (x86 and ARM run little-endian). */
    public static short htons(int value) {
        return Short.reverseBytes((short) value);
    }

    /** errno of this thread's last failed call. */
    public static int errno() {
        return Native.getLastError();
    }

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int fd, Pointer addr, int addrLen);

    public static native int setsockopt(int fd, int level, int name, Pointer value, int valueLen);

    public static native int getsockopt(int fd, int level, int name, Pointer value, Pointer valueLen);

    /** Receives into native memory at {@code buf}; with MSG_TRUNC returns the frame's real length. */
    public static native long recv(int fd, long buf, long len, int flags);

    public static native long send(int fd, long buf, long len, int flags);

    public static native long read(int fd, long buf, long count);

    public static native long write(int fd, long buf, long count);

    /** {@code fds} is an array of struct pollfd {int fd; short events; short revents;}. */
    public static native int poll(Pointer fds, long nfds, int timeoutMillis);

    public static native int eventfd(int initval, int flags);

    public static native int open(String path, int flags);

    public static native int ioctl(int fd, long request, Pointer arg);

    public static native int close(int fd);

    public static native long memcpy(long dst, long src, long n);

    /** MAP_FAILED is the address -1. */
    public static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    public static native int munmap(Pointer addr, long length);

    /** 0 (errno ENODEV) when there is no such interface in this thread's network namespace. */
    public static native int if_nametoindex(String name);
}
