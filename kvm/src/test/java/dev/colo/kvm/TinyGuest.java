package dev.colo.kvm;

import dev.colo.kvm.guest.GuestAbi;
import dev.colo.kvm.guest.GuestImage;
import java.io.ByteArrayOutputStream;

/** Hand-assembled 64-bit guest code for VMM tests that must control exactly what the guest touches. */
final class TinyGuest {
    private final ByteArrayOutputStream code = new ByteArrayOutputStream();

    /** mov dword [address], value */
    TinyGuest store(long address, int value) {
        bytes(0xc7, 0x04, 0x25);
        int32((int) address);
        int32(value);
        return this;
    }

    /** mov eax, dword [address] */
    TinyGuest load(long address) {
        bytes(0x8b, 0x04, 0x25);
        int32((int) address);
        return this;
    }

    /** A hypercall: mov edx, port; mov eax, block; out dx, eax */
    TinyGuest hypercall(int call, long block) {
        bytes(0xba);
        int32(GuestAbi.PORT_BASE + call);
        bytes(0xb8);
        int32((int) block);
        bytes(0xef);
        return this;
    }

    /** inc qword [address]; jmp back: spins forever without a single exit. */
    TinyGuest spinCounting(long address) {
        bytes(0x48, 0xff, 0x04, 0x25);
        int32((int) address);
        bytes(0xeb, 0xf6);
        return this;
    }

    /** cmp dword [address], 0; je back: waits, without exits, until the VMM writes a non-zero flag. */
    TinyGuest awaitFlag(long address) {
        bytes(0x83, 0x3c, 0x25);
        int32((int) address);
        bytes(0x00, 0x74, 0xf6);
        return this;
    }

    /** inc rbx; mov [address], rbx; jmp back: a count kept in a register, mirrored to memory. */
    TinyGuest countInRbx(long address) {
        bytes(0x48, 0xff, 0xc3, 0x48, 0x89, 0x1c, 0x25);
        int32((int) address);
        bytes(0xeb, 0xf3);
        return this;
    }

    /** Raw bytes, e.g. garbage. */
    TinyGuest raw(byte[] bs) {
        code.write(bs, 0, bs.length);
        return this;
    }

    /** jmp $ */
    TinyGuest spin() {
        bytes(0xeb, 0xfe);
        return this;
    }

    GuestImage image() {
        return GuestImage.of("tiny", code.toByteArray());
    }

    private void bytes(int... bs) {
        for (int b : bs) {
            code.write(b);
        }
    }

    private void int32(int v) {
        for (int i = 0; i < 4; i++) {
            code.write(v >>> (8 * i));
        }
    }
}
