package dev.colo.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.CompareStats;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The drain at the end of a replay leaves nothing held. ReplayFuzzTest found a pair whose primary capture is cut at
 * its first record: the secondary's frames of that flow never get a twin, and the drain kept them held. A secondary
 * frame is only compared, never released, so the drain drops it and counts it (and the reports say so).
 */
class ReplayDrainTest {
    private static final String FINDING = "ReplayFuzzTestInputs/replay/crash-42851eddd5527f541b48ef464bb732c2822f017e";

    /** Bit 0 of the input's control byte: the Disruptor pipeline (1) or the direct mode (0). */
    @ParameterizedTest(name = "control byte {0}")
    @ValueSource(ints = {0, 1})
    void secondaryFramesWithNoTwinAreDroppedAndCountedByTheDrain(int control) throws Exception {
        byte[] input;
        try (InputStream in = ReplayDrainTest.class.getResourceAsStream(FINDING)) {
            assertNotNull(in, FINDING);
            input = in.readAllBytes();
        }
        input[0] = (byte) control;
        ReplayResult r = ReplayFuzzTest.replayAndCheck(input); // nothing held after the drain, frames all compared
        assertNotNull(r, "both files open");
        CompareStats s = r.stats();
        assertTrue(s.get(CompareStats.SECONDARY_DRAINED) > 0, "the secondary-only frames dropped at the drain");
        assertEquals(0, r.heldAfterDrain());
        assertEquals(s.get(CompareStats.FRAMES_SECONDARY), s.get(CompareStats.SECONDARY_CONSUMED) + s.get(CompareStats.SECONDARY_FLUSHED)
                + s.get(CompareStats.SECONDARY_DRAINED), "every secondary frame consumed, flushed or drained");
        StringWriter text = new StringWriter();
        TextReport.print(r, 0, new PrintWriter(text, true));
        assertTrue(text.toString().contains(s.get(CompareStats.SECONDARY_DRAINED) + " with no twin dropped when input ended"), text.toString());
        StringWriter json = new StringWriter();
        JsonReport.print(r, new PrintWriter(json, true));
        assertTrue(json.toString().contains("\"secondaryDrained\":" + s.get(CompareStats.SECONDARY_DRAINED)), json.toString());
    }
}
