package dev.colo.kvm.guest;

import dev.colo.kvm.devices.Console;
import dev.colo.kvm.devices.NetDevice;
import dev.colo.kvm.vmm.GuestFault;
import dev.colo.kvm.vmm.GuestHalt;
import dev.colo.kvm.vmm.GuestMemory;
import dev.colo.kvm.vmm.PortIo;

/**
 * Serves the guest's hypercalls (see GuestAbi / hvc.h) on the vCPU thread. An argument block outside
 * guest memory stops the VM; a buffer outside guest memory fails the call with EFAULT. Frames move
 * between guest RAM and the NIC backend directly; every VMM write into guest RAM is marked dirty.
 */
public final class Hypercalls implements PortIo {
    private static final int MAX_POLL_MILLIS = 1000;
    /** Wall-clock nanoseconds without an Instant per call (poll and walltime run once per guest loop). */
    private static final long EPOCH_MINUS_MONOTONIC = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    private final GuestMemory memory;
    private final Console console;
    private final NetDevice net;
    private final byte[] text = new byte[4096];
    private final long[] calls = new long[GuestAbi.CALLS];

    public Hypercalls(GuestMemory memory, Console console, NetDevice net) {
        this.memory = memory;
        this.console = console;
        this.net = net;
    }

    /** How many times the guest made each call (indexed by call number). */
    public long calls(int call) {
        return calls[call];
    }

    @Override
    public long access(int port, boolean write, int size, long value) {
        int call = port - GuestAbi.PORT_BASE;
        if (call < 0 || call >= GuestAbi.CALLS) {
            // Unassigned port: reads float high, writes vanish, as on a PC.
            return write ? 0 : -1L;
        }
        if (!write || size != 4) {
            throw new GuestFault("hypercall " + GuestAbi.callName(call) + " must be a 4-byte out, was a " + size + "-byte " + (write ? "out" : "in"));
        }
        calls[call]++;
        long block = value & 0xffffffffL;
        switch (call) {
            case GuestAbi.PUTS -> puts(checkBlock(call, block, GuestAbi.BUF_BLOCK_SIZE));
            case GuestAbi.WALLTIME -> memory.putLong(checkBlock(call, block, GuestAbi.WALLTIME_BLOCK_SIZE), wallNanos());
            case GuestAbi.NET_INFO -> netInfo(checkBlock(call, block, GuestAbi.NET_INFO_BLOCK_SIZE));
            case GuestAbi.NET_WRITE -> netWrite(checkBlock(call, block, GuestAbi.BUF_BLOCK_SIZE));
            case GuestAbi.NET_READ -> netRead(checkBlock(call, block, GuestAbi.BUF_BLOCK_SIZE));
            case GuestAbi.POLL -> poll(checkBlock(call, block, GuestAbi.POLL_BLOCK_SIZE));
            case GuestAbi.HALT -> throw new GuestHalt(memory.getInt(checkBlock(call, block, GuestAbi.HALT_BLOCK_SIZE)));
            default -> throw new AssertionError(call);
        }
        return 0;
    }

    private long checkBlock(int call, long block, int size) {
        if (!memory.contains(block, size)) {
            throw new GuestFault("hypercall " + GuestAbi.callName(call) + " with its argument block at 0x" + Long.toHexString(block)
                    + ", outside guest memory [0, 0x" + Long.toHexString(memory.size()) + ")");
        }
        return block;
    }

    private static long wallNanos() {
        return System.nanoTime() + EPOCH_MINUS_MONOTONIC;
    }

    private void puts(long block) {
        long data = memory.getLong(block + GuestAbi.BUF_DATA);
        long len = memory.getLong(block + GuestAbi.BUF_LEN);
        if (!memory.contains(data, len)) {
            memory.putInt(block + GuestAbi.BUF_RET, GuestAbi.EFAULT);
            return;
        }
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(text.length, len - done);
            memory.getBytes(data + done, text, 0, n);
            console.write(text, 0, n);
            done += n;
        }
        memory.putInt(block + GuestAbi.BUF_RET, GuestAbi.OK);
    }

    private void netInfo(long block) {
        memory.putBytes(block, net.mac(), 0, 6);
        memory.putInt(block + GuestAbi.NET_INFO_MTU, net.mtu());
    }

    private void netWrite(long block) {
        long data = memory.getLong(block + GuestAbi.BUF_DATA);
        long len = memory.getLong(block + GuestAbi.BUF_LEN);
        int ret;
        if (!memory.contains(data, len)) {
            ret = GuestAbi.EFAULT;
        } else if (len < 14 || len > net.maxFrame()) {
            ret = GuestAbi.EINVAL;
        } else {
            net.transmit(memory.hostAddress(data), (int) len);
            ret = GuestAbi.OK;
        }
        memory.putInt(block + GuestAbi.BUF_RET, ret);
    }

    private void netRead(long block) {
        long data = memory.getLong(block + GuestAbi.BUF_DATA);
        long len = memory.getLong(block + GuestAbi.BUF_LEN);
        if (!memory.contains(data, len) || len <= 0) {
            memory.putInt(block + GuestAbi.BUF_RET, GuestAbi.EFAULT);
            return;
        }
        int n = net.receive(memory.hostAddress(data), (int) Math.min(len, Integer.MAX_VALUE));
        if (n < 0) {
            memory.putInt(block + GuestAbi.BUF_RET, GuestAbi.EAGAIN);
            return;
        }
        memory.markDirty(data, n);
        memory.putLong(block + GuestAbi.BUF_LEN, n);
        memory.putInt(block + GuestAbi.BUF_RET, GuestAbi.OK);
    }

    private void poll(long block) {
        long deadline = memory.getLong(block);
        long waitNanos = deadline == 0 ? 0 : deadline - wallNanos();
        int millis = (int) Math.max(0, Math.min(MAX_POLL_MILLIS, (waitNanos + 999_999) / 1_000_000));
        boolean ready = net.backend().awaitFrame(millis);
        memory.putInt(block + GuestAbi.POLL_READY, ready ? 1 : 0);
        memory.putInt(block + GuestAbi.POLL_RET, GuestAbi.OK);
    }
}
