package dev.colo.kvm.vmm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.colo.kvm.sys.Errno;
import dev.colo.kvm.sys.Ioctl;
import dev.colo.kvm.sys.Kick;
import dev.colo.kvm.sys.KvmException;
import dev.colo.kvm.sys.KvmIoctl;
import dev.colo.kvm.sys.KvmStructs;
import dev.colo.kvm.sys.LibC;
import java.util.function.Consumer;

/**
 * One vCPU and the platform thread that runs it. Starts paused. {@link #pause()} stops it at any
 * instant within a bounded time, even when the guest spins without exits: it sets
 * kvm_run.immediate_exit and kicks the thread with a signal, so KVM_RUN (or a poll in a hypercall)
 * returns EINTR. Before parking, the thread re-enters KVM_RUN once with immediate_exit set, which
 * completes the exit it was handling (KVM advances RIP past an {@code out} only then): the state seen
 * while paused is never in the middle of an instruction.
 */
public final class Vcpu implements AutoCloseable {
    private final int id;
    private final int fd;
    private final Pointer run;
    private final int runSize;
    private final Thread thread;
    private final Object lock = new Object();
    private PortIo io = (port, write, size, value) -> {
        throw new GuestFault("port I/O to 0x" + Integer.toHexString(port) + " before any device was attached");
    };
    private Consumer<VmStop> onStop = s -> { };

    private volatile boolean pauseRequested = true;
    private volatile boolean closeRequested;
    private volatile int tid;
    private boolean parked;       // guarded by lock
    private VmStop stop;          // guarded by lock
    private long exits;

    Vcpu(KvmDevice kvm, int vmFd, int id) {
        this.id = id;
        Kick.signal(); // the handler must exist before the thread can be kicked
        this.fd = Ioctl.call(vmFd, KvmIoctl.CREATE_VCPU, id, "KVM_CREATE_VCPU");
        this.runSize = kvm.vcpuMmapSize();
        this.run = LibC.mmap(null, runSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (LibC.failed(run)) {
            LibC.close(fd);
            throw new KvmException("cannot map kvm_run of vCPU " + id);
        }
        Ioctl.call(fd, KvmIoctl.SET_CPUID2, kvm.supportedCpuid(), "KVM_SET_CPUID2");
        this.thread = new Thread(this::loop, "vcpu-" + id);
        thread.setDaemon(true);
    }

    /** Port I/O handler and stop listener; set before the first resume. */
    public void attach(PortIo io, Consumer<VmStop> onStop) {
        this.io = io;
        this.onStop = onStop;
    }

    void startThread() {
        thread.start();
    }

    public int id() {
        return id;
    }

    /** The vCPU fd, for state ioctls: only while paused. */
    int fd() {
        return fd;
    }

    public long exits() {
        return exits;
    }

    /** Stops guest execution and returns once the vCPU thread is parked (or the vCPU has stopped for good). */
    public void pause() {
        pauseRequested = true;
        run.setByte(KvmStructs.RUN_IMMEDIATE_EXIT, (byte) 1);
        int t = tid;
        if (t != 0) {
            Kick.thread(t);
        }
        synchronized (lock) {
            while (!parked && stop == null) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KvmException("interrupted while pausing vCPU " + id);
                }
            }
        }
    }

    /** Lets the vCPU run again; does not wait. */
    public void resume() {
        synchronized (lock) {
            pauseRequested = false;
            lock.notifyAll();
        }
    }

    public boolean isPaused() {
        synchronized (lock) {
            return parked || stop != null;
        }
    }

    /** Why the vCPU stopped for good, or null while it can still run. */
    public VmStop stopped() {
        synchronized (lock) {
            return stop;
        }
    }

    private void loop() {
        tid = LibC.gettid();
        VmStop end;
        try {
            end = runUntilStopped();
        } catch (GuestHalt h) {
            end = VmStop.halted(h.status());
        } catch (GuestFault f) {
            end = VmStop.crashed(f.getMessage() + " (" + registers() + ")");
        } catch (RuntimeException e) {
            end = VmStop.failed("vCPU " + id + ": " + e.getMessage());
        }
        synchronized (lock) {
            stop = end;
            lock.notifyAll();
        }
        onStop.accept(end);
    }

    private VmStop runUntilStopped() {
        while (true) {
            if (closeRequested) {
                return VmStop.closed();
            }
            if (pauseRequested) {
                park();
                continue;
            }
            try {
                LibC.ioctl(fd, KvmIoctl.RUN, 0L);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.EINTR || e.getErrorCode() == LibC.EAGAIN) {
                    continue;
                }
                throw new KvmException("KVM_RUN failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
            }
            exits++;
            handleExit(run.getInt(KvmStructs.RUN_EXIT_REASON));
        }
    }

    /** Completes the pending exit, then waits for resume; clears immediate_exit before looking at the flag again. */
    private void park() {
        run.setByte(KvmStructs.RUN_IMMEDIATE_EXIT, (byte) 1);
        try {
            LibC.ioctl(fd, KvmIoctl.RUN, 0L);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != LibC.EINTR) {
                throw new KvmException("KVM_RUN (completing the last exit before a pause) failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
            }
        }
        synchronized (lock) {
            parked = true;
            lock.notifyAll();
            while (pauseRequested && !closeRequested) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    closeRequested = true;
                }
            }
            parked = false;
        }
        // A pause() racing with this resume sets its flag before immediate_exit: clearing first, then
        // re-reading the flag at the top of the loop, never loses it.
        run.setByte(KvmStructs.RUN_IMMEDIATE_EXIT, (byte) 0);
    }

    private void handleExit(int reason) {
        switch (reason) {
            case KvmStructs.EXIT_IO -> portIo();
            case KvmStructs.EXIT_INTR -> { } // a kick: the loop looks at the flags
            case KvmStructs.EXIT_HLT -> throw new GuestHalt(0);
            case KvmStructs.EXIT_MMIO -> throw new GuestFault("MMIO " + (run.getByte(KvmStructs.RUN_MMIO_IS_WRITE) != 0 ? "write to" : "read from")
                    + " 0x" + Long.toHexString(run.getLong(KvmStructs.RUN_MMIO_PHYS_ADDR)) + ", outside guest memory and no device there");
            case KvmStructs.EXIT_SHUTDOWN -> throw new GuestFault("guest crashed: triple fault (an exception with no handler: bad instruction, page fault or protection fault)");
            case KvmStructs.EXIT_FAIL_ENTRY -> throw new KvmException("KVM could not enter the guest: hardware entry failure reason 0x"
                    + Long.toHexString(run.getLong(KvmStructs.RUN_FAIL_ENTRY_REASON)));
            case KvmStructs.EXIT_INTERNAL_ERROR -> throw new GuestFault("KVM internal error, suberror " + run.getInt(KvmStructs.RUN_INTERNAL_SUBERROR)
                    + " (1 = instruction emulation failed: on kvm-pvm, ring-0 or unsupported guest code)");
            default -> throw new GuestFault("unhandled exit reason " + reason);
        }
    }

    private void portIo() {
        boolean write = run.getByte(KvmStructs.RUN_IO_DIRECTION) == KvmStructs.EXIT_IO_OUT;
        int size = run.getByte(KvmStructs.RUN_IO_SIZE);
        int port = run.getShort(KvmStructs.RUN_IO_PORT) & 0xffff;
        int count = run.getInt(KvmStructs.RUN_IO_COUNT);
        long data = run.getLong(KvmStructs.RUN_IO_DATA_OFFSET);
        if (count != 1) {
            throw new GuestFault("string port I/O (" + count + " x " + size + " bytes at port 0x" + Integer.toHexString(port) + ") is not supported");
        }
        long value = write ? read(data, size) : 0;
        long result = io.access(port, write, size, value);
        if (!write) {
            switch (size) {
                case 1 -> run.setByte(data, (byte) result);
                case 2 -> run.setShort(data, (short) result);
                default -> run.setInt(data, (int) result);
            }
        }
    }

    private long read(long offset, int size) {
        return switch (size) {
            case 1 -> run.getByte(offset) & 0xffL;
            case 2 -> run.getShort(offset) & 0xffffL;
            default -> run.getInt(offset) & 0xffffffffL;
        };
    }

    /** rip/rsp for crash reports; the vCPU is not running when this is called from its own thread. */
    private String registers() {
        try (Memory regs = new Memory(KvmStructs.REGS_SIZE)) {
            LibC.ioctl(fd, KvmIoctl.GET_REGS, regs);
            return "rip=0x" + Long.toHexString(regs.getLong(KvmStructs.REGS_RIP)) + " rsp=0x" + Long.toHexString(regs.getLong(KvmStructs.REGS_RSP));
        } catch (LastErrorException e) {
            return "registers unavailable";
        }
    }

    /** Stops the thread for good and releases the vCPU. */
    @Override
    public void close() {
        closeRequested = true;
        run.setByte(KvmStructs.RUN_IMMEDIATE_EXIT, (byte) 1);
        synchronized (lock) {
            lock.notifyAll();
        }
        if (thread.isAlive()) {
            int t = tid;
            if (t != 0) {
                Kick.thread(t);
            }
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread.isAlive()) {
            // Unmapping kvm_run under a thread that still uses it would crash the JVM: leak it instead.
            throw new KvmException("vCPU " + id + " thread did not stop within 5 s; its kvm_run mapping is leaked");
        }
        LibC.munmap(run, runSize);
        LibC.close(fd);
    }
}
