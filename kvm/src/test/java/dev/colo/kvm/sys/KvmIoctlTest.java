package dev.colo.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every ioctl number, struct size and kvm_run offset the VMM uses, checked against <linux/kvm.h> by a real C probe. */
class KvmIoctlTest {
    @TempDir
    Path tmp;

    /** Every public constant of KvmIoctl is named after its KVM_ macro. */
    private static String[] ioctlNames() {
        return java.util.Arrays.stream(KvmIoctl.class.getFields()).map(Field::getName).toArray(String[]::new);
    }

    @Test
    void ioctlNumbersStructSizesAndOffsetsMatchTheKernelHeaders() throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/include/linux/kvm.h")), "linux/kvm.h missing (apt-get install linux-libc-dev): skipped");
        assumeTrue(new ProcessBuilder("gcc", "--version").start().waitFor() == 0, "gcc missing: skipped");
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <linux/kvm.h>\nint main(void){\n");
        String[] ioctls = ioctlNames();
        for (String name : ioctls) {
            c.append("printf(\"ioctl.").append(name).append(" %lu\\n\", (unsigned long) KVM_").append(name).append(");\n");
        }
        String[][] sizes = {{"MEMORY_REGION_SIZE", "struct kvm_userspace_memory_region"}, {"DIRTY_LOG_SIZE", "struct kvm_dirty_log"},
            {"REGS_SIZE", "struct kvm_regs"}, {"SREGS_SIZE", "struct kvm_sregs"}, {"FPU_SIZE", "struct kvm_fpu"},
            {"XSAVE_SIZE", "struct kvm_xsave"}, {"XCRS_SIZE", "struct kvm_xcrs"}, {"LAPIC_SIZE", "struct kvm_lapic_state"},
            {"VCPU_EVENTS_SIZE", "struct kvm_vcpu_events"}, {"MP_STATE_SIZE", "struct kvm_mp_state"},
            {"CLOCK_DATA_SIZE", "struct kvm_clock_data"}, {"DEBUGREGS_SIZE", "struct kvm_debugregs"},
            {"MSR_ENTRY_SIZE", "struct kvm_msr_entry"}, {"CPUID_ENTRY2_SIZE", "struct kvm_cpuid_entry2"}};
        for (String[] s : sizes) {
            c.append("printf(\"struct.").append(s[0]).append(" %zu\\n\", sizeof(").append(s[1]).append("));\n");
        }
        String[][] offsets = {{"MEMORY_REGION_SLOT", "struct kvm_userspace_memory_region", "slot"},
            {"MEMORY_REGION_FLAGS", "struct kvm_userspace_memory_region", "flags"},
            {"MEMORY_REGION_GUEST_PHYS", "struct kvm_userspace_memory_region", "guest_phys_addr"},
            {"MEMORY_REGION_SIZE_FIELD", "struct kvm_userspace_memory_region", "memory_size"},
            {"MEMORY_REGION_USER_ADDR", "struct kvm_userspace_memory_region", "userspace_addr"},
            {"DIRTY_LOG_SLOT", "struct kvm_dirty_log", "slot"}, {"DIRTY_LOG_BITMAP", "struct kvm_dirty_log", "dirty_bitmap"},
            {"RUN_REQUEST_INTERRUPT_WINDOW", "struct kvm_run", "request_interrupt_window"},
            {"RUN_IMMEDIATE_EXIT", "struct kvm_run", "immediate_exit"}, {"RUN_EXIT_REASON", "struct kvm_run", "exit_reason"},
            {"RUN_IO_DIRECTION", "struct kvm_run", "io.direction"}, {"RUN_IO_SIZE", "struct kvm_run", "io.size"},
            {"RUN_IO_PORT", "struct kvm_run", "io.port"}, {"RUN_IO_COUNT", "struct kvm_run", "io.count"},
            {"RUN_IO_DATA_OFFSET", "struct kvm_run", "io.data_offset"},
            {"RUN_MMIO_PHYS_ADDR", "struct kvm_run", "mmio.phys_addr"}, {"RUN_MMIO_IS_WRITE", "struct kvm_run", "mmio.is_write"},
            {"RUN_FAIL_ENTRY_REASON", "struct kvm_run", "fail_entry.hardware_entry_failure_reason"},
            {"RUN_INTERNAL_SUBERROR", "struct kvm_run", "internal.suberror"},
            {"MSRS_HEADER_SIZE", "struct kvm_msrs", "entries"}, {"MSR_LIST_HEADER_SIZE", "struct kvm_msr_list", "indices"},
            {"CPUID2_HEADER_SIZE", "struct kvm_cpuid2", "entries"}, {"REGS_RSP", "struct kvm_regs", "rsp"},
            {"REGS_RDI", "struct kvm_regs", "rdi"}, {"REGS_RIP", "struct kvm_regs", "rip"}, {"REGS_RFLAGS", "struct kvm_regs", "rflags"}};
        for (String[] o : offsets) {
            c.append("printf(\"struct.").append(o[0]).append(" %zu\\n\", offsetof(").append(o[1]).append(", ").append(o[2]).append("));\n");
        }
        String[][] values = {{"MEM_LOG_DIRTY_PAGES", "KVM_MEM_LOG_DIRTY_PAGES"}, {"EXIT_IO", "KVM_EXIT_IO"},
            {"EXIT_HLT", "KVM_EXIT_HLT"}, {"EXIT_MMIO", "KVM_EXIT_MMIO"}, {"EXIT_SHUTDOWN", "KVM_EXIT_SHUTDOWN"},
            {"EXIT_FAIL_ENTRY", "KVM_EXIT_FAIL_ENTRY"}, {"EXIT_INTR", "KVM_EXIT_INTR"}, {"EXIT_INTERNAL_ERROR", "KVM_EXIT_INTERNAL_ERROR"},
            {"EXIT_IO_OUT", "KVM_EXIT_IO_OUT"}};
        for (String[] v : values) {
            c.append("printf(\"struct.").append(v[0]).append(" %lu\\n\", (unsigned long) ").append(v[1]).append(");\n");
        }
        c.append("return 0;}\n");
        Path src = tmp.resolve("probe.c");
        Path bin = tmp.resolve("probe");
        Files.writeString(src, c);
        Process cc = new ProcessBuilder("gcc", "-o", bin.toString(), src.toString()).redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, "probe did not compile: " + ccOut);
        Process run = new ProcessBuilder(bin.toString()).start();
        Map<String, Long> kernel = new HashMap<>();
        for (String line : new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] kv = line.trim().split(" ");
            kernel.put(kv[0], Long.parseUnsignedLong(kv[1]));
        }
        assertEquals(0, run.waitFor());
        int checked = 0;
        for (String name : ioctls) {
            assertEquals(kernel.get("ioctl." + name), ((Number) KvmIoctl.class.getField(name).get(null)).longValue(), "KVM_" + name);
            checked++;
        }
        for (Field f : KvmStructs.class.getFields()) {
            Long k = kernel.get("struct." + f.getName());
            assertTrue(k != null, "no probe for KvmStructs." + f.getName());
            assertEquals(k.longValue(), ((Number) f.get(null)).longValue(), "KvmStructs." + f.getName());
            checked++;
        }
        assertTrue(checked >= 60, "checked " + checked);
    }
}
