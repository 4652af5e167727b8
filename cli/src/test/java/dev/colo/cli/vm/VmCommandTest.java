package dev.colo.cli.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.cli.Main;
import dev.colo.kvm.vmm.KvmDevice;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `colo vm`: usage errors, a guest that halts cleanly, a guest that crashes. */
class VmCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void badOptionsAreUsageErrorsThatSayWhatIsWrong() {
        Run r = run("vm", "--no-net", "--memory", "3M");
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("--memory: 3M is not a multiple of 2M"), r.err);
        r = run("vm", "--no-net", "--ip", "10.1.2");
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("is not an IPv4 address"), r.err);
        r = run("vm", "--no-net", "--mac", "zz:00");
        assertEquals(2, r.exit);
        r = run("vm", "--no-net", "--image", tmp.resolve("missing.bin").toString());
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("cannot read"), r.err);
    }

    @Test
    void aGuestThatHaltsCleanlyExitsZeroAndOneThatCrashesExitsOne() throws Exception {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: skipped");
        // mov edx, 0x506 (HALT); mov eax, 0x260000 (a zeroed block: status 0); out dx, eax
        byte[] halt = {(byte) 0xba, 0x06, 0x05, 0, 0, (byte) 0xb8, 0, 0, 0x26, 0, (byte) 0xef};
        Path image = Files.write(tmp.resolve("halt.bin"), halt);
        Run r = run("vm", "--no-net", "--memory", "4M", "--image", image.toString());
        assertEquals(0, r.exit, r.out + r.err);
        assertTrue(r.out.contains("guest halted with status 0"), r.out);

        Path garbage = Files.write(tmp.resolve("ud2.bin"), new byte[] {0x0f, 0x0b});
        r = run("vm", "--no-net", "--memory", "4M", "--image", garbage.toString());
        assertEquals(1, r.exit, r.out + r.err);
        assertTrue(r.out.contains("crashed"), r.out);
    }
}
