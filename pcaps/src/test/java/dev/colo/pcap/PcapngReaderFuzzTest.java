package dev.colo.pcap;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the pcapng reader (JAZZER_FUZZ=1, see bench/run-fuzz.sh); in the suite the corpus in
 * PcapngReaderFuzzTestInputs (bundled frames as Enhanced, Simple and obsolete Packet Blocks, options, sections in
 * both byte orders) runs as regression tests.
 */
class PcapngReaderFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void read(byte[] file) throws IOException {
        CaptureFuzzing.assertContract(file);
    }
}
