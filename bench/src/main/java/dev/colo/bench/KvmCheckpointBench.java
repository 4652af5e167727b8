package dev.colo.bench;

import dev.colo.kvm.MicroVm;
import dev.colo.kvm.MicroVmConfig;
import dev.colo.kvm.guest.GuestImage;
import dev.colo.kvm.state.CapturedState;
import dev.colo.kvm.state.StagedState;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * KVM checkpoint cost against the number of dirty pages: a real guest writes one word into each of N
 * distinct 4 KiB pages, then the VMM pauses it, captures the delta (KVM dirty log OR the VMM's own
 * writes, pages copied out) and resumes it: that is the pause a checkpoint costs the primary. The
 * delta is then staged, verified and applied to a second VM (the secondary's side).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.colo.bench.KvmCheckpointBench [--runs N] [--vm-mib M]</pre>
 */
public final class KvmCheckpointBench {
    private static final long FLAG = 0x200000;
    private static final long FIRST_PAGE = 0x400000;
    private static final int WARM_UP = 5;

    private KvmCheckpointBench() {
    }

    /**
     * The guest: wait until [FLAG] holds N; write a word into each of N pages from FIRST_PAGE; clear FLAG; repeat.
     * <pre>
     * top:  mov rcx,[FLAG]; test rcx,rcx; jz top; mov rdi,FIRST_PAGE
     * loop: mov [rdi],rcx; add rdi,4096; dec rcx; jnz loop; mov qword [FLAG],0; jmp top
     * </pre>
     */
    static byte[] dirtyingGuest() {
        ByteBuffer b = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x48, (byte) 0x8b, 0x0c, 0x25}).putInt((int) FLAG);       // 0: mov rcx,[FLAG] (8)
        b.put(new byte[] {0x48, (byte) 0x85, (byte) 0xc9});                          // 8: test rcx,rcx (3)
        b.put(new byte[] {0x74, (byte) (0 - 13)});                                   // 11: jz top (2)
        b.put(new byte[] {0x48, (byte) 0xc7, (byte) 0xc7}).putInt((int) FIRST_PAGE); // 13: mov rdi,imm32 (7)
        b.put(new byte[] {0x48, (byte) 0x89, 0x0f});                                 // 20: mov [rdi],rcx (3)
        b.put(new byte[] {0x48, (byte) 0x81, (byte) 0xc7}).putInt(4096);             // 23: add rdi,4096 (7)
        b.put(new byte[] {0x48, (byte) 0xff, (byte) 0xc9});                          // 30: dec rcx (3)
        b.put(new byte[] {0x75, (byte) (20 - 35)});                                  // 33: jnz loop (2)
        b.put(new byte[] {0x48, (byte) 0xc7, 0x04, 0x25}).putInt((int) FLAG).putInt(0); // 35: mov qword [FLAG],0 (12)
        b.put(new byte[] {(byte) 0xeb, (byte) (0 - 49)});                            // 47: jmp top (2)
        return Arrays.copyOf(b.array(), b.position());
    }

    public static void main(String[] args) throws Exception {
        int runs = 20;
        int vmMib = 512;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--vm-mib" -> vmMib = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: KvmCheckpointBench [--runs N] [--vm-mib M]");
                    System.exit(2);
                }
            }
        }
        MicroVmConfig config = MicroVmConfig.of(GuestImage.of("dirtier", dirtyingGuest()), null).withMemory((long) vmMib << 20);
        int maxPages = (int) ((((long) vmMib << 20) - FIRST_PAGE) / 4096) - 1;
        try (MicroVm pvm = MicroVm.create(config); MicroVm svm = MicroVm.create(config)) {
            pvm.resume();
            pvm.pause();
            transfer(pvm.captureFull(), svm, ByteBuffer.allocateDirect(1 << 20));
            System.out.printf(Locale.ROOT, "KVM checkpoint cost, %d MiB guest, %d runs per size (" + WARM_UP + " warm-up runs dropped)%n", vmMib, runs);
            System.out.printf(Locale.ROOT, "%8s %10s %10s %10s %10s %10s %12s %12s %10s%n", "dirty", "pause p50", "pause p90", "pause max",
                    "target", "stop p50", "capture", "apply", "apply p50");
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            for (int n : new int[] {0, 100, 1_000, 10_000, 100_000}) {
                if (n > maxPages) {
                    System.out.printf(Locale.ROOT, "%8d  (needs a bigger guest: --vm-mib)%n", n);
                    continue;
                }
                long[] pause = new long[runs];
                long[] stop = new long[runs];
                long[] apply = new long[runs];
                long capturedBytes = 0;
                int pagesCarried = 0;
                for (int r = -WARM_UP; r < runs; r++) {
                    pvm.memory().putLong(FLAG, n);
                    pvm.resume();
                    while (pvm.memory().getLong(FLAG) != 0) {
                        Thread.onSpinWait();
                    }
                    long t0 = System.nanoTime();
                    pvm.pause();
                    long stopped = System.nanoTime();
                    CapturedState delta = pvm.captureDelta();
                    pvm.resume();
                    long t1 = System.nanoTime();
                    pvm.pause();
                    long t2 = System.nanoTime();
                    long size = transfer(delta, svm, chunk);
                    long t3 = System.nanoTime();
                    if (r >= 0) {
                        pause[r] = t1 - t0;
                        stop[r] = stopped - t0;
                        apply[r] = t3 - t2;
                        capturedBytes += size;
                        pagesCarried = delta.pages();
                    }
                }
                Arrays.sort(pause);
                Arrays.sort(stop);
                Arrays.sort(apply);
                double target = 1_000_000 + 1_000.0 * n;
                double captureRate = n == 0 ? 0 : (double) n * 4096 / (pause[runs / 2]) * 1e9 / (1 << 30);
                double applyRate = n == 0 ? 0 : (double) capturedBytes / runs / apply[runs / 2] * 1e9 / (1 << 30);
                System.out.printf(Locale.ROOT, "%8d %8.3fms %8.3fms %8.3fms %8.3fms %8.3fms %8.2fGiB/s %8.2fGiB/s %8.3fms   (%d pages carried)%n",
                        n, pause[runs / 2] / 1e6, pause[runs * 9 / 10] / 1e6, pause[runs - 1] / 1e6, target / 1e6, stop[runs / 2] / 1e6,
                        captureRate, applyRate, apply[runs / 2] / 1e6, pagesCarried);
            }
        }
    }

    /** Streams a captured state into the other VM in 1 MiB chunks and applies it; returns the stream size. */
    private static long transfer(CapturedState captured, MicroVm into, ByteBuffer chunk) throws Exception {
        StagedState staged = into.stage();
        long total = 0;
        int n;
        while ((n = captured.read(chunk.clear())) > 0) {
            total += n;
            staged.accept(chunk.flip());
        }
        into.apply(staged);
        return total;
    }
}
