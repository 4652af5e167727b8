package dev.colo.kvm.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.colo.kvm.vmm.GuestMemory;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Coverage-guided fuzzing of the KVM state stream decoder, {@link StagedState#verify()} (JAZZER_FUZZ=1, see
 * bench/run-fuzz.sh); in the suite the corpus in StagedStateFuzzTestInputs (streams written by StateWriter for
 * {@link #LAYOUT}) runs as regression tests. No VM is needed: staging and verifying is plain memory.
 *
 * <p>Input: a control byte seeding how the stream arrives in pieces, then the stream. Only a StateFormatException may
 * escape; a stream that verifies has every record inside the stream and the VM (pages inside guest memory, vCPU ids
 * that exist, sizes the layout allows), as many records as its END record counts, and the right CRC-32C; verifying
 * again (after a failure too) gives the same answer.
 */
class StagedStateFuzzTest {
    /** A VM of 16 pages and one vCPU, with record sizes like a real one's (Machine's layout needs /dev/kvm). */
    static final StagedState.Layout LAYOUT = new StagedState.Layout() {
        @Override public long memorySize() { return 16L * GuestMemory.PAGE_SIZE; }

        @Override public int vcpus() { return 1; }

        @Override
        public long fixedSize(int type) {
            return switch (type) {
                case StateFormat.MEMORY, StateFormat.VCPU_MSRS, StateFormat.DEVICE_CONSOLE -> -1;
                case StateFormat.VCPU_MP_STATE -> 4;
                case StateFormat.VCPU_REGS -> 144;
                case StateFormat.VCPU_SREGS -> 312;
                case StateFormat.VCPU_LAPIC -> 1024;
                case StateFormat.DEVICE_NET -> 64;
                default -> -2;
            };
        }

        @Override
        public long maxSize(int type) {
            return type == StateFormat.VCPU_MSRS ? 8 + 64 * 16 : type == StateFormat.DEVICE_CONSOLE ? 4096 : 0;
        }
    };
    /** Room for the whole guest memory and the machine records, no more: a longer stream is refused as it arrives. */
    static final long CAPACITY = 16L * GuestMemory.PAGE_SIZE + 16 * 1024;

    private static final NativeBuffer BUFFER = new NativeBuffer(CAPACITY);
    private static long generation;

    @FuzzTest(maxDuration = "5m")
    void verify(byte[] input) {
        if (input.length == 0) {
            return;
        }
        StagedState staged = new StagedState(BUFFER, LAYOUT, ++generation);
        String first;
        try {
            int piece = 1 + (input[0] & 0xff) * 61;
            for (int at = 1; at < input.length; at += piece) {
                staged.accept(ByteBuffer.wrap(input, at, Math.min(piece, input.length - at)));
            }
            first = outcome(staged);
        } catch (StateFormatException tooLong) {
            assertTrue(input.length - 1 > CAPACITY, "refused as too long: " + tooLong.getMessage());
            return;
        }
        assertEquals(first, outcome(staged), "verifying again");
        if (first.equals("verified")) {
            assertVerified(staged, input);
        }
    }

    private static String outcome(StagedState staged) {
        try {
            staged.verify();
            return "verified";
        } catch (StateFormatException e) {
            return e.getMessage();
        }
    }

    private static void assertVerified(StagedState staged, byte[] input) {
        long size = staged.size();
        assertEquals(input.length - 1, size);
        long base = BUFFER.address();
        long end = StateFormat.HEADER_SIZE;
        for (int i = 0; i < staged.records(); i++) {
            long offset = staged.payload(i) - base;
            long length = staged.length(i);
            assertTrue(offset >= end + StateFormat.RECORD_HEADER_SIZE && length >= 0 && offset + length <= size,
                    "record " + i + " at " + offset + " of " + length + " bytes, stream of " + size);
            end = offset + length;
            int type = staged.type(i);
            if (type == StateFormat.MEMORY) {
                long firstPage = BUFFER.pointer().getLong(offset);
                long pages = (length - 8) / GuestMemory.PAGE_SIZE;
                assertTrue(pages >= 1 && (length - 8) % GuestMemory.PAGE_SIZE == 0, "whole pages");
                assertTrue(firstPage >= 0 && firstPage + pages <= LAYOUT.memorySize() / GuestMemory.PAGE_SIZE, "pages in guest memory");
            } else {
                long fixed = LAYOUT.fixedSize(type);
                assertTrue(fixed >= 0 ? length == fixed : fixed == -1 && length <= LAYOUT.maxSize(type), "size of " + StateFormat.typeName(type));
                if (type >= StateFormat.VCPU_MP_STATE && type <= StateFormat.VCPU_EVENTS) {
                    assertTrue(staged.instance(i) < LAYOUT.vcpus(), "vCPU id");
                }
            }
        }
        int endRecord = (int) end;
        assertEquals(size, end + StateFormat.RECORD_HEADER_SIZE + StateFormat.END_PAYLOAD_SIZE, "END is the last record");
        ByteBuffer tail = ByteBuffer.wrap(input, 1 + endRecord, StateFormat.RECORD_HEADER_SIZE + StateFormat.END_PAYLOAD_SIZE)
                .slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(staged.records(), tail.getInt(StateFormat.RECORD_HEADER_SIZE), "records counted by END");
        CRC32C crc = new CRC32C();
        crc.update(input, 1, endRecord);
        assertEquals((int) crc.getValue(), tail.getInt(StateFormat.RECORD_HEADER_SIZE + 4), "CRC-32C");
    }
}
