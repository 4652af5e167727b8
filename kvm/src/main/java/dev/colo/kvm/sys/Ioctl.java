package dev.colo.kvm.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

/** ioctl calls that fail with a message naming the request and errno, instead of a bare errno. */
public final class Ioctl {
    private Ioctl() {
    }

    public static int call(int fd, long request, Pointer arg, String what) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new KvmException(what + " failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
    }

    public static int call(int fd, long request, long arg, String what) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new KvmException(what + " failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
    }
}
