package dev.colo.kvm;

import dev.colo.kvm.devices.Console;
import dev.colo.kvm.devices.DisconnectedNet;
import dev.colo.kvm.devices.NetDevice;
import dev.colo.kvm.guest.GuestAbi;
import dev.colo.kvm.guest.Hypercalls;
import dev.colo.kvm.state.CapturedState;
import dev.colo.kvm.state.StagedState;
import dev.colo.kvm.state.StateFormatException;
import dev.colo.kvm.vmm.GuestMemory;
import dev.colo.kvm.vmm.KvmDevice;
import dev.colo.kvm.vmm.LongModeBoot;
import dev.colo.kvm.vmm.Machine;
import dev.colo.kvm.vmm.VmStop;
import java.nio.charset.StandardCharsets;

/**
 * A one-vCPU virtual machine running a flat 64-bit guest, with a console and a NIC: the face of this
 * module. Built paused; {@link #resume()} runs it. Its whole state can be captured (all memory, or
 * only what changed since the last capture) and applied to another MicroVm built from the same config.
 */
public final class MicroVm implements AutoCloseable {
    private final MicroVmConfig config;
    private final Machine machine;
    private final Console console;
    private final NetDevice net;
    private final Hypercalls hypercalls;
    private boolean closed;

    private MicroVm(MicroVmConfig config, KvmDevice kvm) {
        this.config = config;
        this.console = new Console(config.consoleSink());
        this.net = new NetDevice(config.mac(), config.mtu(), config.net() != null ? config.net() : new DisconnectedNet());
        this.machine = new Machine(kvm, config.memorySize(), console, net);
        GuestMemory memory = machine.memory();
        this.hypercalls = new Hypercalls(memory, console, net);
        byte[] image = config.image().bytes();
        long imageEnd = GuestAbi.LOAD_ADDR + image.length;
        if (imageEnd > config.memorySize() - (1L << 20)) {
            machine.close();
            throw new IllegalArgumentException("guest image of " + image.length + " bytes does not fit in " + config.memorySize() + " bytes with a 1 MiB stack");
        }
        LongModeBoot.writeTables(memory);
        memory.putBytes(GuestAbi.LOAD_ADDR, image, 0, image.length);
        writeBootInfo(memory, imageEnd);
        LongModeBoot.enter(machine.vcpu(), GuestAbi.LOAD_ADDR, config.memorySize(), GuestAbi.BOOT_INFO_ADDR);
        machine.vcpu().attach(hypercalls, stop -> { });
        machine.start();
        machine.vcpu().pause(); // returns once the new thread is parked: "created" means paused
    }

    /** Builds the VM, paused at the guest's first instruction. */
    public static MicroVm create(MicroVmConfig config) {
        KvmDevice kvm = KvmDevice.open();
        try {
            return new MicroVm(config, kvm);
        } catch (RuntimeException e) {
            kvm.close();
            throw e;
        }
    }

    private void writeBootInfo(GuestMemory memory, long imageEnd) {
        long at = GuestAbi.BOOT_INFO_ADDR;
        memory.putLong(at + GuestAbi.BOOT_MEMORY_SIZE, config.memorySize());
        memory.putLong(at + GuestAbi.BOOT_IMAGE_END, imageEnd);
        memory.putInt(at + GuestAbi.BOOT_IPV4_ADDR, Integer.reverseBytes(config.ipv4())); // network byte order
        memory.putInt(at + GuestAbi.BOOT_IPV4_PREFIX, config.prefixLength());
        byte[] cmd = (config.cmdline() == null ? "" : config.cmdline()).getBytes(StandardCharsets.US_ASCII);
        memory.putBytes(at + GuestAbi.BOOT_CMDLINE, cmd, 0, cmd.length);
    }

    public MicroVmConfig config() {
        return config;
    }

    /** What runs here: both VMs of a pair must agree on it. */
    public String identity() {
        return "colo-kvm image=" + config.image().name() + "@" + config.image().digest() + " memory=" + config.memorySize()
                + " vcpus=1 mtu=" + config.mtu();
    }

    public Console console() {
        return console;
    }

    public NetDevice net() {
        return net;
    }

    public Hypercalls hypercalls() {
        return hypercalls;
    }

    public GuestMemory memory() {
        return machine.memory();
    }

    public void resume() {
        machine.vcpu().resume();
    }

    /** Stops the guest at once (bounded even if it spins without exits); returns once it no longer changes state. */
    public void pause() {
        machine.vcpu().pause();
    }

    public boolean isPaused() {
        return machine.vcpu().isPaused();
    }

    /** Why the guest stopped for good, or null while it can run. */
    public VmStop stopped() {
        return machine.vcpu().stopped();
    }

    /** Captures every page (while running is allowed: what changes meanwhile is in the next delta); vCPU and devices only if paused. */
    public CapturedState captureFull() {
        return machine.captureFull(isPaused());
    }

    /** Captures what changed since the last capture, plus vCPU and device state. The VM must be paused. */
    public CapturedState captureDelta() {
        requirePaused("capture a delta");
        return machine.captureDelta();
    }

    /** The last capture never reached its destination: its pages go into the next delta again. */
    public void captureAborted() {
        machine.captureAborted();
    }

    /** A staging area for an incoming state; the VM does not change until {@link #apply}. */
    public StagedState stage() {
        return machine.stage();
    }

    /** Checks a staged state completely (the apply that follows cannot fail on content). */
    public void verify(StagedState staged) throws StateFormatException {
        machine.verify(staged);
    }

    /**
     * Makes this VM's state the staged one, including reverting every page this VM wrote itself since
     * the last apply (kept in a copy of the last applied memory). The VM must be paused.
     */
    public void apply(StagedState staged) throws StateFormatException {
        requirePaused("apply a state");
        machine.verify(staged);
        machine.apply(staged);
    }

    private void requirePaused(String what) {
        if (!isPaused()) {
            throw new IllegalStateException("cannot " + what + " while the VM runs: pause it first");
        }
    }

    /** Stops the vCPU and releases everything, the NIC backend included. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        machine.close();
        net.backend().close();
    }
}
