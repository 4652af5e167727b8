package dev.colo.kvm;

import dev.colo.kvm.state.CapturedState;
import dev.colo.kvm.state.StagedState;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Moves a captured state into another VM's staging area, as the checkpoint link does, in 256 KiB chunks. */
final class StateTransfer {
    private StateTransfer() {
    }

    static byte[] bytes(CapturedState captured) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
        while (captured.read(chunk.clear()) > 0) {
            chunk.flip();
            out.write(chunk.array(), 0, chunk.limit());
        }
        return out.toByteArray();
    }

    static StagedState stage(MicroVm into, byte[] stream) throws Exception {
        StagedState staged = into.stage();
        for (int off = 0; off < stream.length; off += 256 * 1024) {
            staged.accept(ByteBuffer.wrap(stream, off, Math.min(256 * 1024, stream.length - off)));
        }
        return staged;
    }

    static void copy(CapturedState captured, MicroVm into) throws Exception {
        into.apply(stage(into, bytes(captured)));
    }
}
