package dev.colo.proxy.io.sys;

/** Names for the errno values frame I/O meets, so that errors read "ENODEV (no such device)" and not "19". */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;
    public static final int ENXIO = 6;

    private Errno() {
    }

    public static String describe(int errno) {
        String name = switch (errno) {
            case EPERM -> "EPERM (operation not permitted)";
            case ENOENT -> "ENOENT (no such file or directory)";
            case EINTR -> "EINTR (interrupted)";
            case EIO -> "EIO (I/O error)";
            case ENXIO -> "ENXIO (no such device or address)";
            case 9 -> "EBADF (bad file descriptor)";
            case EAGAIN -> "EAGAIN (try again)";
            case 12 -> "ENOMEM (out of memory)";
            case EACCES -> "EACCES (permission denied)";
            case 14 -> "EFAULT (bad address)";
            case EBUSY -> "EBUSY (device or resource busy)";
            case 17 -> "EEXIST (already exists)";
            case ENODEV -> "ENODEV (no such device)";
            case EINVAL -> "EINVAL (invalid argument)";
            case 23 -> "ENFILE (too many open files in system)";
            case 24 -> "EMFILE (too many open files)";
            case 25 -> "ENOTTY (inappropriate ioctl)";
            case 88 -> "ENOTSOCK (not a socket)";
            case EMSGSIZE -> "EMSGSIZE (message too long)";
            case ENOPROTOOPT -> "ENOPROTOOPT (protocol option not available)";
            case 93 -> "EPROTONOSUPPORT (protocol not supported)";
            case 95 -> "EOPNOTSUPP (operation not supported)";
            case 97 -> "EAFNOSUPPORT (address family not supported)";
            case ENETDOWN -> "ENETDOWN (network is down)";
            case ENOBUFS -> "ENOBUFS (no buffer space available)";
            default -> null;
        };
        return name != null ? name : "errno " + errno;
    }
}
