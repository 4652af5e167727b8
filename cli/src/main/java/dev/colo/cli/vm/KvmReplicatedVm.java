package dev.colo.cli.vm;

import dev.colo.checkpoint.vm.ReplicatedVm;
import dev.colo.checkpoint.vm.StateSource;
import dev.colo.checkpoint.vm.StateStaging;
import dev.colo.kvm.MicroVm;
import dev.colo.kvm.state.CapturedState;
import dev.colo.kvm.state.StagedState;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A real KVM MicroVm as the checkpoint protocol sees a VM. It lives here, where the kvm and checkpoint
 * modules meet, so that neither knows the other. State moves without a heap copy: captured bytes are
 * read straight out of the VM's off-heap capture area, incoming chunks go straight into its staging area.
 */
public final class KvmReplicatedVm implements ReplicatedVm {
    private final MicroVm vm;

    public KvmReplicatedVm(MicroVm vm) {
        this.vm = vm;
    }

    public MicroVm vm() {
        return vm;
    }

    @Override
    public String identity() {
        return vm.identity();
    }

    @Override
    public void pause() {
        vm.pause();
    }

    @Override
    public void resume() {
        vm.resume();
    }

    @Override
    public boolean isPaused() {
        return vm.isPaused();
    }

    @Override
    public StateSource captureFull() {
        return new Source(vm.captureFull());
    }

    @Override
    public StateSource captureDelta() {
        return new Source(vm.captureDelta());
    }

    @Override
    public void captureAborted() {
        vm.captureAborted();
    }

    @Override
    public StateStaging beginStaging(boolean full) {
        return new Staging(vm.stage());
    }

    private static final class Source implements StateSource {
        private final CapturedState captured;

        Source(CapturedState captured) {
            this.captured = captured;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            return captured.read(dst, off, len);
        }

        @Override
        public int read(ByteBuffer dst) {
            return captured.read(dst);
        }

        @Override
        public long size() {
            return captured.size();
        }
    }

    private final class Staging implements StateStaging {
        private final StagedState staged;

        Staging(StagedState staged) {
            this.staged = staged;
        }

        @Override
        public void accept(byte[] src, int off, int len) throws IOException {
            staged.accept(ByteBuffer.wrap(src, off, len));
        }

        @Override
        public void accept(ByteBuffer src) throws IOException {
            staged.accept(src);
        }

        @Override
        public long size() {
            return staged.size();
        }

        @Override
        public void verify() throws IOException {
            vm.verify(staged);
        }

        @Override
        public void apply() throws IOException {
            vm.apply(staged);
        }

        @Override
        public void discard() {
            // The staging area is reused by the next state; nothing of this one reached the VM.
        }
    }
}
