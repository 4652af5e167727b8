package dev.colo.kvm.sys;

/** Names for the errno values a VMM meets, so that errors read "EBUSY (device or resource busy)" and not "16". */
public final class Errno {
    private Errno() {
    }

    public static String describe(int errno) {
        String name = switch (errno) {
            case 1 -> "EPERM (operation not permitted)";
            case 2 -> "ENOENT (no such file or directory)";
            case 4 -> "EINTR (interrupted)";
            case 5 -> "EIO (I/O error)";
            case 6 -> "ENXIO (no such device: is the in-kernel irqchip missing?)";
            case 7 -> "E2BIG (argument list too long)";
            case 9 -> "EBADF (bad file descriptor)";
            case 11 -> "EAGAIN (try again)";
            case 12 -> "ENOMEM (out of memory)";
            case 13 -> "EACCES (permission denied: are you root or in group kvm?)";
            case 14 -> "EFAULT (bad address)";
            case 16 -> "EBUSY (device or resource busy)";
            case 17 -> "EEXIST (already exists)";
            case 19 -> "ENODEV (no such device)";
            case 22 -> "EINVAL (invalid argument)";
            case 24 -> "EMFILE (too many open files)";
            case 25 -> "ENOTTY (not supported by this kernel)";
            default -> null;
        };
        return name != null ? name : "errno " + errno;
    }
}
