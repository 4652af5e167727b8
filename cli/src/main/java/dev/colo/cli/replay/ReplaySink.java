package dev.colo.cli.replay;

import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import dev.colo.pcap.LinkType;
import dev.colo.pcap.PacketFileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Receives the pipeline's decisions on the emit thread: writes released frames (stamped with their
 * release time) and divergent frame pairs to pcap files, and keeps the divergences for the report.
 */
final class ReplaySink implements DecisionListener, AutoCloseable {
    static final int SNAPLEN = 262144;

    private final PacketFileWriter released;
    private final PacketFileWriter divergent;
    private final int keepDivergences;
    final List<Divergence> divergences = new ArrayList<>();
    final List<Divergence> checkpoints = new ArrayList<>();
    final Map<String, Long> rulesFired = new LinkedHashMap<>();
    private IOException writeError;

    ReplaySink(Path releasedOut, Path divergencesOut, int keepDivergences) throws IOException {
        this.released = releasedOut == null ? null : PacketFileWriter.pcap(releasedOut, LinkType.ETHERNET, SNAPLEN, true);
        this.divergent = divergencesOut == null ? null : PacketFileWriter.pcap(divergencesOut, LinkType.ETHERNET, SNAPLEN, true);
        this.keepDivergences = keepDivergences;
    }

    @Override
    public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        if (released != null && writeError == null) {
            try {
                released.write(nowNanos, frame, offset, length, length);
            } catch (IOException e) {
                writeError = e;
            }
        }
    }

    @Override
    public void onDivergence(Divergence d) {
        if (divergences.size() < keepDivergences) {
            divergences.add(d);
        }
        if (divergent != null && writeError == null) {
            try {
                byte[] p = d.primaryFrame();
                byte[] s = d.secondaryFrame();
                if (p.length > 0) {
                    divergent.write(d.primaryFrameTime(), p, 0, p.length, p.length);
                }
                if (s.length > 0) {
                    divergent.write(d.secondaryFrameTime(), s, 0, s.length, s.length);
                }
            } catch (IOException e) {
                writeError = e;
            }
        }
    }

    @Override
    public void onCheckpointRequested(Divergence cause) {
        if (checkpoints.size() < keepDivergences) {
            checkpoints.add(cause);
        }
    }

    @Override
    public void onRuleFired(String rule, String flow) {
        rulesFired.merge(rule, 1L, Long::sum);
    }

    @Override
    public void close() throws IOException {
        IOException first = writeError;
        for (PacketFileWriter w : new PacketFileWriter[] {released, divergent}) {
            if (w != null) {
                try {
                    w.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            throw new UncheckedIOException("writing output pcap failed: " + e.getMessage(), e);
        }
    }
}
