package dev.colo.kvm.vmm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import dev.colo.kvm.devices.Console;
import dev.colo.kvm.devices.NetDevice;
import dev.colo.kvm.state.CapturedState;
import dev.colo.kvm.state.NativeBuffer;
import dev.colo.kvm.state.PageBitmap;
import dev.colo.kvm.state.StagedState;
import dev.colo.kvm.state.StateFormat;
import dev.colo.kvm.state.StateFormatException;
import dev.colo.kvm.state.StateWriter;
import dev.colo.kvm.sys.Ioctl;
import dev.colo.kvm.sys.KvmIoctl;
import dev.colo.kvm.sys.KvmStructs;
import dev.colo.kvm.sys.LibC;
import java.util.Arrays;

/**
 * The KVM VM: its memory, its vCPU, and the capture and apply of their state with the devices'.
 *
 * <p>Capture writes into a reusable off-heap area while the VM is paused (a delta costs one memcpy per
 * run of dirty pages); the END record's CRC is computed later, as the stream is read. Apply keeps a
 * copy of the memory as last applied (the "restore base", like QEMU COLO's RAM cache) so that pages
 * this VM wrote itself since then, which the incoming delta does not carry, return to that state.
 */
public final class Machine implements AutoCloseable, StagedState.Layout {
    /** Headroom for vCPU and device records beyond the memory itself. */
    private static final long STATE_HEADROOM = 16L << 20;
    private static final long MAX_CONSOLE_STATE = 4096;

    private final KvmDevice kvm;
    private final int vmFd;
    private final boolean irqchip;
    private final GuestMemory memory;
    private final Vcpu vcpu;
    private final VcpuState vcpuState;
    private final Console console;
    private final NetDevice net;
    private final long[] dirty;
    private final long[] lastCapture;
    private final long[] resend;
    private NativeBuffer captureArea;
    private NativeBuffer stagingArea;
    private NativeBuffer restoreBase;
    private boolean baseComplete;
    private long stagings;

    public Machine(KvmDevice kvm, long memorySize, Console console, NetDevice net) {
        this.kvm = kvm;
        this.console = console;
        this.net = net;
        this.vmFd = Ioctl.call(kvm.fd(), KvmIoctl.CREATE_VM, 0L, "KVM_CREATE_VM");
        try {
            this.irqchip = kvm.hasIrqchip() && createIrqchip(vmFd);
            this.memory = new GuestMemory(vmFd, memorySize);
            this.vcpu = new Vcpu(kvm, vmFd, 0);
            this.vcpuState = new VcpuState(vcpu, kvm, irqchip);
        } catch (RuntimeException e) {
            LibC.close(vmFd);
            throw e;
        }
        this.dirty = new long[memory.bitmapWords()];
        this.lastCapture = new long[dirty.length];
        this.resend = new long[dirty.length];
    }

    /** An in-kernel local APIC makes the vCPU's state complete (LAPIC record); a host without one still runs. */
    private static boolean createIrqchip(int vmFd) {
        try {
            LibC.ioctl(vmFd, KvmIoctl.CREATE_IRQCHIP, 0L);
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    public GuestMemory memory() {
        return memory;
    }

    public Vcpu vcpu() {
        return vcpu;
    }

    public void start() {
        vcpu.startThread();
    }

    private NativeBuffer captureArea() {
        if (captureArea == null) {
            captureArea = new NativeBuffer(memory.size() + STATE_HEADROOM);
        }
        return captureArea;
    }

    public CapturedState captureFull(boolean withMachine) {
        Arrays.fill(dirty, 0);
        memory.takeDirty(dirty); // start a new dirty epoch: what changes while copying is in the next delta
        Arrays.fill(dirty, -1L);
        Arrays.fill(resend, 0);
        StateWriter out = new StateWriter(captureArea(), withMachine ? StateFormat.FLAG_MACHINE : 0, memory.size(), 1);
        out.memoryRun(memory, 0, memory.pages());
        if (withMachine) {
            saveMachine(out);
        }
        System.arraycopy(dirty, 0, lastCapture, 0, dirty.length);
        return out.finish(memory.pages());
    }

    public CapturedState captureDelta() {
        System.arraycopy(resend, 0, dirty, 0, dirty.length);
        Arrays.fill(resend, 0);
        memory.takeDirty(dirty);
        StateWriter out = new StateWriter(captureArea(), StateFormat.FLAG_DELTA | StateFormat.FLAG_MACHINE, memory.size(), 1);
        int pages = out.dirtyPages(memory, dirty);
        saveMachine(out);
        System.arraycopy(dirty, 0, lastCapture, 0, dirty.length);
        return out.finish(pages);
    }

    public void captureAborted() {
        for (int i = 0; i < resend.length; i++) {
            resend[i] |= lastCapture[i];
        }
    }

    private void saveMachine(StateWriter out) {
        vcpuState.save(out);
        out.record(StateFormat.DEVICE_NET, 0, net.saveState());
        out.record(StateFormat.DEVICE_CONSOLE, 0, console.saveState());
    }

    public StagedState stage() {
        if (stagingArea == null) {
            stagingArea = new NativeBuffer(memory.size() + STATE_HEADROOM);
        }
        return new StagedState(stagingArea, this, ++stagings);
    }

    public void verify(StagedState staged) throws StateFormatException {
        if (staged.generation() != stagings) {
            throw new StateFormatException("this staged state was overwritten by a newer one (staging area reused)");
        }
        staged.verify();
        if (staged.isDelta() && !baseComplete) {
            throw new StateFormatException("a delta state needs a full state applied first");
        }
        boolean[] seen = new boolean[StateFormat.END];
        for (int i = 0; i < staged.records(); i++) {
            int type = staged.type(i);
            if (type != StateFormat.MEMORY && seen[type]) {
                throw new StateFormatException(StateFormat.typeName(type) + " record twice in one state");
            }
            seen[type] = true;
            if (type == StateFormat.VCPU_MSRS) {
                long n = (staged.length(i) - KvmStructs.MSRS_HEADER_SIZE) / KvmStructs.MSR_ENTRY_SIZE;
                if (new Pointer(staged.payload(i)).getInt(0) != n
                        || staged.length(i) != KvmStructs.MSRS_HEADER_SIZE + n * KvmStructs.MSR_ENTRY_SIZE) {
                    throw new StateFormatException("MSR record's count does not match its length " + staged.length(i));
                }
            }
            if (type == StateFormat.DEVICE_NET && !Arrays.equals(macOf(staged, i), net.mac())) {
                throw new StateFormatException("state of a NIC with another MAC than this VM's");
            }
        }
        if (staged.hasMachine()) {
            for (int type : VcpuState.ORDER) {
                if (!seen[type] && (type != StateFormat.VCPU_LAPIC || irqchip)) {
                    throw new StateFormatException("state without a " + StateFormat.typeName(type) + " record");
                }
            }
            if (!seen[StateFormat.DEVICE_NET] || !seen[StateFormat.DEVICE_CONSOLE]) {
                throw new StateFormatException("state without its device records");
            }
        }
        if (!staged.isDelta() && !coversAllMemory(staged)) {
            throw new StateFormatException("full state does not cover all of guest memory");
        }
    }

    private static byte[] macOf(StagedState staged, int i) {
        byte[] mac = new byte[6];
        new Pointer(staged.payload(i)).read(0, mac, 0, 6);
        return mac;
    }

    private boolean coversAllMemory(StagedState staged) {
        long pages = 0;
        for (int i = 0; i < staged.records(); i++) {
            if (staged.type(i) == StateFormat.MEMORY) {
                pages += (staged.length(i) - 8) >> GuestMemory.PAGE_SHIFT;
            }
        }
        return pages >= memory.pages();
    }

    /** Applies a verified state; the vCPU is paused. */
    public void apply(StagedState staged) {
        if (restoreBase == null) {
            restoreBase = new NativeBuffer(memory.size());
        }
        Arrays.fill(dirty, 0);
        memory.takeDirty(dirty); // what this VM wrote itself since the last apply
        long base = restoreBase.address();
        for (int i = 0; i < staged.records(); i++) {
            if (staged.type(i) != StateFormat.MEMORY) {
                continue;
            }
            long payload = staged.payload(i);
            int first = (int) new Pointer(payload).getLong(0);
            int count = (int) ((staged.length(i) - 8) >> GuestMemory.PAGE_SHIFT);
            long data = payload + 8;
            memory.copyPagesIn(first, count, data);
            LibC.memcpy(base + ((long) first << GuestMemory.PAGE_SHIFT), data, (long) count << GuestMemory.PAGE_SHIFT);
            PageBitmap.clear(dirty, first, count);
        }
        if (baseComplete) {
            revertOwnWrites(base);
        }
        baseComplete = true;
        if (staged.hasMachine()) {
            applyMachine(staged);
        }
        Arrays.fill(resend, 0);
    }

    private void revertOwnWrites(long base) {
        int pages = memory.pages();
        for (int p = PageBitmap.nextSet(dirty, 0, pages); p < pages; ) {
            int end = PageBitmap.nextClear(dirty, p, pages);
            memory.copyPagesIn(p, end - p, base + ((long) p << GuestMemory.PAGE_SHIFT));
            p = PageBitmap.nextSet(dirty, end, pages);
        }
    }

    private void applyMachine(StagedState staged) {
        for (int type : VcpuState.ORDER) {
            for (int i = 0; i < staged.records(); i++) {
                if (staged.type(i) == type) {
                    vcpuState.restore(type, staged.payload(i), staged.length(i));
                }
            }
        }
        for (int i = 0; i < staged.records(); i++) {
            long len = staged.length(i);
            switch (staged.type(i)) {
                case StateFormat.DEVICE_NET -> net.restoreState(new Pointer(staged.payload(i)).getByteBuffer(0, len));
                case StateFormat.DEVICE_CONSOLE -> {
                    byte[] line = new byte[(int) len];
                    new Pointer(staged.payload(i)).read(0, line, 0, line.length);
                    console.restoreState(line);
                }
                default -> { }
            }
        }
    }

    // StagedState.Layout: what a stream for this VM looks like.

    @Override
    public long memorySize() {
        return memory.size();
    }

    @Override
    public int vcpus() {
        return 1;
    }

    @Override
    public long fixedSize(int type) {
        return switch (type) {
            case StateFormat.MEMORY, StateFormat.VCPU_MSRS, StateFormat.DEVICE_CONSOLE -> -1;
            case StateFormat.VCPU_LAPIC -> irqchip ? KvmStructs.LAPIC_SIZE : -2;
            case StateFormat.DEVICE_NET -> NetDevice.STATE_SIZE;
            default -> type >= StateFormat.VCPU_MP_STATE && type <= StateFormat.VCPU_EVENTS ? VcpuState.fixedSize(type, kvm.xsaveSize()) : -2;
        };
    }

    @Override
    public long maxSize(int type) {
        return switch (type) {
            case StateFormat.VCPU_MSRS -> KvmStructs.MSRS_HEADER_SIZE + 4096L * KvmStructs.MSR_ENTRY_SIZE;
            case StateFormat.DEVICE_CONSOLE -> MAX_CONSOLE_STATE;
            default -> 0;
        };
    }

    @Override
    public void close() {
        vcpu.close();
        vcpuState.close();
        memory.close();
        LibC.close(vmFd);
        kvm.close();
        for (NativeBuffer b : new NativeBuffer[] {captureArea, stagingArea, restoreBase}) {
            if (b != null) {
                b.close();
            }
        }
    }
}
