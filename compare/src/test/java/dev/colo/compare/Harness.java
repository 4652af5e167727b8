package dev.colo.compare;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.FrameInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Drives a real {@link OutputComparator} with built frames and records every decision. */
final class Harness implements DecisionListener, CheckpointGate {
    static final int SERVER = FrameBuilder.ipv4(10, 0, 0, 2);
    static final int CLIENT = FrameBuilder.ipv4(10, 0, 0, 1);
    static final long MS = 1_000_000L;

    final FrameBuilder builder = new FrameBuilder();
    final FrameDecoder decoder = new FrameDecoder();
    final FrameInfo info = new FrameInfo();
    final byte[] buf = new byte[70000];
    final OutputComparator comparator;

    final List<byte[]> released = new ArrayList<>();
    final List<Long> releaseTimes = new ArrayList<>();
    final List<Divergence> divergences = new ArrayList<>();
    final List<Divergence> checkpoints = new ArrayList<>();
    final List<String> rulesFired = new ArrayList<>();
    int flushes;

    /** When true, requests commit at once (as in replay); else the test commits by hand. */
    boolean autoCommit = true;
    long requested;
    long committed;

    Harness(CompareConfig config) {
        comparator = new OutputComparator(config, this, this);
    }

    Harness() {
        this(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED));
    }

    void frame(int side, long ts, int len) {
        decoder.decode(buf, 0, len, info);
        comparator.onFrame(side, ts, buf, 0, len, info);
    }

    void tcp(int side, long ts, int seq, int ack, int flags, byte[] payload, int off, int len) {
        frame(side, ts, builder.tcp4(buf, 0, SERVER, CLIENT, 80, 40000, seq, ack, flags, payload, off, len));
    }

    void tcp(int side, long ts, int seq, int ack, int flags, String payload) {
        byte[] p = payload.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        tcp(side, ts, seq, ack, flags, p, 0, p.length);
    }

    void udp(int side, long ts, String payload) {
        byte[] p = payload.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        frame(side, ts, builder.udp4(buf, 0, SERVER, CLIENT, 7, 5000, p, 0, p.length));
    }

    void commit() {
        committed = requested;
        comparator.pollCommit();
    }

    /** Payload bytes of released TCP/UDP frames, concatenated in release order. */
    byte[] releasedPayload() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        FrameInfo fi = new FrameInfo();
        for (byte[] f : released) {
            decoder.decode(f, 0, f.length, fi);
            out.write(f, fi.compareOffset, fi.compareLength);
        }
        return out.toByteArray();
    }

    @Override
    public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        released.add(Arrays.copyOfRange(frame, offset, offset + length));
        releaseTimes.add(nowNanos);
    }

    @Override
    public void onDivergence(Divergence d) {
        divergences.add(d.copy());
    }

    @Override
    public void onCheckpointRequested(Divergence cause) {
        checkpoints.add(cause.copy());
    }

    @Override
    public void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
        flushes++;
    }

    @Override
    public void onRuleFired(String rule, String flow) {
        rulesFired.add(rule);
    }

    @Override
    public long request(CheckpointReason reason) {
        requested++;
        if (autoCommit) {
            committed = requested;
        }
        return requested;
    }

    @Override
    public long committedGeneration() {
        return committed;
    }
}
