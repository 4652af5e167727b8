package dev.colo.pcap;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the classic pcap reader (JAZZER_FUZZ=1, see bench/run-fuzz.sh); in the suite the corpus
 * in PcapReaderFuzzTestInputs (cuts of the bundled pairs, both byte orders, both resolutions) runs as regression tests.
 */
class PcapReaderFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void read(byte[] file) throws IOException {
        CaptureFuzzing.assertContract(file);
    }
}
