package dev.colo.proxy.io;

import com.sun.jna.Memory;
import dev.colo.proxy.io.sys.Errno;
import dev.colo.proxy.io.sys.LibC;

/**
 * Waits in poll(2) until a frame fd is readable, or until another thread calls {@link #wakeup()}, which
 * writes to an eventfd polled alongside. All native memory is allocated once.
 */
final class FdWaiter implements AutoCloseable {
    private static final int POLLFD_SIZE = 8;
    private final String port;
    private final int frameFd;
    private final int eventFd;
    private final Memory pollFds = new Memory(2 * POLLFD_SIZE);
    private final Memory one = new Memory(8);
    private final Memory drain = new Memory(8);

    FdWaiter(String port, int frameFd) throws PortException {
        this.port = port;
        this.frameFd = frameFd;
        eventFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (eventFd < 0) {
            throw new PortException(port, "eventfd", LibC.errno(), null);
        }
        pollFds.clear();
        pollFds.setInt(0, frameFd);
        pollFds.setShort(4, LibC.POLLIN);
        pollFds.setInt(POLLFD_SIZE, eventFd);
        pollFds.setShort(POLLFD_SIZE + 4, LibC.POLLIN);
        one.setLong(0, 1);
    }

    int frameFd() {
        return frameFd;
    }

    /** True when the frame fd is readable; false on timeout, wakeup or signal. Negative timeout: no limit. */
    boolean await(int timeoutMillis) throws PortException {
        int n = LibC.poll(pollFds, 2, timeoutMillis);
        if (n < 0) {
            int errno = LibC.errno();
            if (errno == Errno.EINTR) {
                return false;
            }
            throw new PortException(port, "poll", errno, null);
        }
        if (n == 0) {
            return false;
        }
        if (pollFds.getShort(POLLFD_SIZE + 6) != 0) {
            LibC.read(eventFd, Memory.nativeValue(drain), 8); // reset the counter: the wakeup is consumed
        }
        // POLLERR or POLLHUP count as readable too: the next receive reports what went wrong
        return pollFds.getShort(6) != 0;
    }

    /** Safe from any thread; a wakeup before the next await makes that await return at once. */
    void wakeup() {
        LibC.write(eventFd, Memory.nativeValue(one), 8);
    }

    @Override
    public void close() {
        LibC.close(eventFd);
        pollFds.close();
        one.close();
        drain.close();
    }
}
