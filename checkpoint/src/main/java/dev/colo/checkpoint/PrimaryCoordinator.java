package dev.colo.checkpoint;

import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.checkpoint.protocol.Message;
import dev.colo.checkpoint.protocol.ProtocolException;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.checkpoint.protocol.Wire;
import dev.colo.checkpoint.vm.ReplicatedVm;
import dev.colo.checkpoint.vm.StateSource;
import dev.colo.ops.EpisodeLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The primary node's coordinator. It listens for a secondary, brings it in sync (full state while the
 * VM runs, then a first checkpoint), and runs checkpoints on demand, periodically or by command:
 * NEW, then on SUSPENDED pause and send the state, on RECEIVED report the commit (the proxy releases
 * held output), on LOADED resume. A lost, stalled or misbehaving secondary never stops the primary:
 * the VM resumes, output goes unprotected, and a secondary may join again at any time.
 */
public final class PrimaryCoordinator extends Coordinator<PrimaryState> {
    private Channel server;
    private long nextId = 1;
    private long currentId;
    private Trigger currentTrigger;
    private boolean currentCommitted;
    private boolean captureTaken;
    private boolean pendingRequest;
    private Trigger pendingTrigger;
    private String pendingReason = "";
    private long lastCheckpointEnd = Long.MIN_VALUE / 2;
    private long pausedAt;
    private ScheduledFuture<?> deferred;
    private ScheduledFuture<?> periodic;
    /**
     * The peer of the current link while its HELLO is awaited (loop only; null otherwise). Until it is accepted a
     * connection may be anyone, so its handshake is not logged as transitions: a flood of strangers would cost two
     * lines each. Accepted, its handshake is reported as it happened; refused or lost, it counts in {@link #refusals}.
     */
    private java.net.SocketAddress handshakePeer;
    /** Strangers on the checkpoint port (junk, wrong cluster or role, silent, slow, already attached), as episodes. */
    private final EpisodeLog refusals = new EpisodeLog("checkpoint", "refusals", REFUSAL_EPISODE,
            line -> java.util.logging.Logger.getLogger("dev.colo.checkpoint").warning(line));

    /** How long an episode of refusals is summed up before its summary line. */
    static final java.time.Duration REFUSAL_EPISODE = java.time.Duration.ofSeconds(10);

    public PrimaryCoordinator(CheckpointConfig config, ReplicatedVm vm, Arbiter arbiter, CoordinatorListener listener) {
        super(Role.PRIMARY, PrimaryState.UNPROTECTED, config, vm, arbiter, listener);
    }

    /** Listens for a secondary; returns the bound address. Renews the arbiter's claim meanwhile. */
    public InetSocketAddress start(InetSocketAddress bind) throws InterruptedException {
        server = new ServerBootstrap().group(loop).channel(serverChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(linkInitializer())
                .bind(bind).sync().channel();
        long window = REFUSAL_EPISODE.toMillis();
        loop.scheduleAtFixedRate(refusals::flushIfDue, window, window, TimeUnit.MILLISECONDS);
        leaseKeeper.start();
        return (InetSocketAddress) server.localAddress();
    }

    /** Renews the claim and decides when output may leave (see {@link ReleasePermit}). */
    private final LeaseKeeper leaseKeeper = new LeaseKeeper(this);

    /** What the node checks before each frame it releases: see {@link ReleasePermit}. Any thread. */
    public ReleasePermit releasePermit() {
        return leaseKeeper.permit();
    }

    /** Whether output is stopped now (status): the permit does not allow it. */
    public boolean fenced() {
        return !leaseKeeper.permit().getAsBoolean();
    }

    /** The primary's heartbeats carry their send time, so that the secondary's echo proves when it last heard us. */
    @Override
    protected long heartbeatValue() {
        return System.nanoTime();
    }

    @Override
    protected void onHeartbeat(Channel c, long value) {
        if (handshakePeer == null) { // a stranger's "echo" proves no contact with the secondary
            leaseKeeper.heartbeatEchoed(value);
        }
    }

    /** Refused connections on the checkpoint port so far, as logged in episodes. */
    public EpisodeLog refusals() {
        return refusals;
    }

    @Override
    protected boolean isCheckpointStep(PrimaryState from, PrimaryState to) {
        return inSync && to != PrimaryState.UNPROTECTED && to != PrimaryState.CLOSED;
    }

    /** A secondary has finished its first sync and the link holds: output is compared. */
    private volatile boolean inSync;

    @Override
    protected boolean isProtected() {
        return inSync;
    }

    /** Asks for a checkpoint (thread-safe). Requests during a checkpoint or within the minimum interval coalesce. */
    public void requestCheckpoint(Trigger trigger, String reason) {
        loop.execute(() -> request(trigger, reason));
    }

    private void request(Trigger trigger, String reason) {
        if (state == PrimaryState.PROTECTED) {
            long wait = lastCheckpointEnd + config.minInterval().toNanos() - System.nanoTime();
            if (wait <= 0 && deferred == null) {
                begin(trigger, reason);
                return;
            }
            if (deferred == null) {
                deferred = loop.schedule(() -> {
                    deferred = null;
                    startPending();
                }, wait, TimeUnit.NANOSECONDS);
            }
        } else if (!isProtected()) {
            return; // nothing to make consistent: no secondary in sync
        }
        if (!pendingRequest || trigger == Trigger.ON_DEMAND) {
            pendingTrigger = trigger;
            pendingReason = reason;
        }
        pendingRequest = true;
    }

    private void startPending() {
        if (pendingRequest && state == PrimaryState.PROTECTED) {
            pendingRequest = false;
            begin(pendingTrigger, pendingReason);
        }
    }

    private void schedulePeriodic() {
        if (periodic != null) {
            periodic.cancel(false);
        }
        long ms = config.periodicInterval().toMillis();
        if (ms > 0) {
            periodic = loop.schedule(() -> request(Trigger.PERIODIC, "every " + ms + " ms"), ms, TimeUnit.MILLISECONDS);
        }
    }

    // ------------------------------------------------------------ link

    @Override
    protected void onLinkUp(Channel c) {
        if (link != null || state != PrimaryState.UNPROTECTED) {
            String from = describe(c.remoteAddress());
            String why = "a secondary is already attached to primary " + config.nodeId();
            refusals.record("already attached", from, "refused " + from + ": " + why);
            c.writeAndFlush(new Message.Refused(why)).addListener(f -> c.close());
            return;
        }
        link = c;
        peer = "";
        handshakePeer = c.remoteAddress();
        state = PrimaryState.HANDSHAKING; // quietly: reported once the peer proves to be a secondary (onHello)
        sayHello();
    }

    @Override
    protected void onMessage(Message m) throws ProtocolException {
        switch (m.type()) {
            case HELLO -> onHello((Message.Hello) m);
            case REFUSED -> linkFailed(link, "secondary refused the handshake: " + ((Message.Refused) m).reason());
            case SUSPENDED -> onSuspended((Message.Suspended) m);
            case RECEIVED -> onReceived((Message.Received) m);
            case LOADED -> onLoaded((Message.Loaded) m);
            case CHECKPOINT_READY -> onReady((Message.CheckpointReady) m);
            case ABORT -> onPeerAbort((Message.Abort) m);
            default -> throw outOfTurn(m, state);
        }
    }

    private void onHello(Message.Hello h) throws ProtocolException {
        if (!acceptHello(h, PrimaryState.HANDSHAKING)) {
            return;
        }
        report(PrimaryState.UNPROTECTED, PrimaryState.HANDSHAKING, "secondary connected from " + handshakePeer);
        handshakePeer = null;
        transition(PrimaryState.INITIAL_SYNC, "secondary " + peer + " accepted");
        long id = nextId++;
        send(new Message.Send(id, true));
        // After the full state, the first checkpoint makes the secondary consistent with what changed meanwhile.
        streamState(id, vm::captureFull, "sending the full state", () -> loop.execute(() -> {
            if (state == PrimaryState.INITIAL_SYNC) {
                begin(Trigger.INITIAL, "first sync of " + peer);
            }
        }));
    }

    private void begin(Trigger trigger, String reason) {
        currentId = nextId++;
        currentTrigger = trigger;
        currentCommitted = false;
        captureTaken = false;
        if (trigger != Trigger.INITIAL) {
            transition(PrimaryState.NEW_SENT, trigger + ": " + reason);
        }
        send(new Message.New(currentId, trigger, reason));
        awaitSyncPoint("SUSPENDED");
    }

    private void onSuspended(Message.Suspended m) throws ProtocolException {
        if (m.checkpointId() != currentId || (state != PrimaryState.NEW_SENT && state != PrimaryState.INITIAL_SYNC)) {
            throw outOfTurn(m, state);
        }
        cancelSyncTimer();
        transition(PrimaryState.SENDING_STATE, "checkpoint " + currentId);
        long id = currentId;
        captureTaken = true;
        Channel c = link;
        StateSource source;
        try {
            // Pausing is bounded and capturing a delta only snapshots the dirty set: both right here, so a
            // small checkpoint costs no thread wake-up at all on this side.
            vm.pause();
            pausedAt = System.nanoTime();
            source = vm.captureDelta();
        } catch (Exception e) {
            vmFailed(c, "capturing checkpoint " + id + " failed: " + e.getMessage());
            return;
        }
        send(new Message.Send(id, false));
        Runnable sent = () -> {
            transition(PrimaryState.AWAITING_RECEIVED, "checkpoint " + id + ": " + lastTransferBytes + " bytes sent");
            awaitSyncPoint("RECEIVED");
        };
        if (source.size() >= 0 && source.size() <= config.inlineStateBytes()) {
            long start = System.nanoTime();
            CRC32C crc = new CRC32C();
            try (StateSource src = source) {
                long total = sendChunks(c, id, src, crc, false);
                lastTransferBytes = total;
                lastTransferNanos = System.nanoTime() - start;
                sent.run();
                send(new Message.StateEnd(id, total, (int) crc.getValue()));
            } catch (Exception e) {
                vmFailed(c, "sending checkpoint " + id + " failed: " + e.getMessage());
            }
            return;
        }
        streamState(id, () -> source, "sending checkpoint " + id, sent);
    }

    /** Captures and sends a state stream from the VM thread, chunk by chunk, waiting while the link is full. */
    private void streamState(long id, Capture capture, String what, Runnable then) {
        Channel c = link;
        long start = System.nanoTime();
        long[] total = new long[1];
        CRC32C crc = new CRC32C();
        onVm(() -> {
            try (StateSource source = capture.open()) {
                total[0] = sendChunks(c, id, source, crc, true);
            }
        }, () -> {
            // Sent from the event loop after the chunks (queued before this task), and after `then`
            // moved the state machine on: the peer's answer can never arrive in the old state.
            lastTransferBytes = total[0];
            lastTransferNanos = System.nanoTime() - start;
            then.run();
            send(new Message.StateEnd(id, total[0], (int) crc.getValue()));
        }, what);
    }

    @FunctionalInterface
    private interface Capture {
        StateSource open() throws java.io.IOException;
    }

    /**
     * Reads the source into network buffers and writes them. Only the VM thread may wait for the link
     * to drain ({@code mayWait}); on the link's thread the caller keeps the stream under the high water.
     */
    private long sendChunks(Channel c, long id, StateSource source, CRC32C crc, boolean mayWait) throws Exception {
        int maxChunk = maxChunk(config);
        long size = source.size();
        long total = 0;
        while (true) {
            if (mayWait && !awaitWritable(c)) {
                throw new java.io.IOException("link closed while sending the state");
            }
            // Sized to what is left when the size is known: an empty delta allocates nothing.
            int chunkSize = size >= 0 ? (int) Math.min(maxChunk, size - total) : maxChunk;
            if (chunkSize == 0) {
                return total;
            }
            // Captured straight into a network buffer: the only copy on this side.
            ByteBuf data = c.alloc().directBuffer(chunkSize);
            java.nio.ByteBuffer nio = data.nioBuffer(0, chunkSize);
            int n = 0;
            try {
                while (nio.hasRemaining()) {
                    int r = source.read(nio);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
            } catch (Exception e) {
                data.release();
                throw e;
            }
            if (n == 0) {
                data.release();
                return total;
            }
            data.writerIndex(n);
            crc.update(data.nioBuffer());
            // A link that closes under us never runs the encoder, which is what releases the chunk.
            c.writeAndFlush(new Message.StateChunk(id, data)).addListener(f -> {
                if (!f.isSuccess() && data.refCnt() > 0) {
                    data.release();
                }
            });
            total += n;
            if (n < chunkSize) {
                return total;
            }
        }
    }

    private void onReceived(Message.Received m) throws ProtocolException {
        if (m.checkpointId() != currentId || state != PrimaryState.AWAITING_RECEIVED) {
            throw outOfTurn(m, state);
        }
        currentCommitted = true;
        countCheckpoint(currentTrigger);
        transition(PrimaryState.AWAITING_LOADED, "checkpoint " + currentId + " committed");
        listener.onCheckpointCommitted(currentId, currentTrigger);
        awaitSyncPoint("LOADED");
    }

    private void onLoaded(Message.Loaded m) throws ProtocolException {
        if (m.checkpointId() != currentId || state != PrimaryState.AWAITING_LOADED) {
            throw outOfTurn(m, state);
        }
        cancelSyncTimer();
        long id = currentId;
        // Resumed right here (resume never blocks): a hop to the VM thread would add a wake-up to every pause.
        vm.resume();
        lastPauseNanos = System.nanoTime() - pausedAt;
        lastCheckpointEnd = System.nanoTime();
        if (currentTrigger == Trigger.INITIAL) {
            transition(PrimaryState.AWAITING_READY, "checkpoint " + id + " loaded");
            awaitSyncPoint("CHECKPOINT_READY");
        } else {
            transition(PrimaryState.PROTECTED, "checkpoint " + id + " loaded");
            afterCheckpoint();
        }
    }

    private void onReady(Message.CheckpointReady m) throws ProtocolException {
        if (state != PrimaryState.AWAITING_READY) {
            throw outOfTurn(m, state);
        }
        cancelSyncTimer();
        inSync = true;
        transition(PrimaryState.PROTECTED, "secondary " + peer + " ready");
        listener.onProtected(peer);
        afterCheckpoint();
    }

    private void afterCheckpoint() {
        schedulePeriodic();
        if (pendingRequest) {
            long wait = lastCheckpointEnd + config.minInterval().toNanos() - System.nanoTime();
            if (deferred == null) {
                deferred = loop.schedule(() -> {
                    deferred = null;
                    startPending();
                }, Math.max(0, wait), TimeUnit.NANOSECONDS);
            }
        }
    }

    private void onPeerAbort(Message.Abort m) {
        if (m.checkpointId() != currentId || !isCheckpointing()) {
            linkFailed(link, "ABORT for checkpoint " + m.checkpointId() + " out of turn in state " + state);
            return;
        }
        abandon("secondary aborted: " + m.reason());
        transition(PrimaryState.PROTECTED, "checkpoint " + m.checkpointId() + " aborted by the secondary");
        pendingRequest = true; // the reason for it still stands: try again after the minimum interval
        if (pendingTrigger == null) {
            pendingTrigger = currentTrigger;
            pendingReason = "retry of aborted checkpoint " + m.checkpointId();
        }
        afterCheckpoint();
    }

    private boolean isCheckpointing() {
        PrimaryState s = state;
        return s == PrimaryState.NEW_SENT || s == PrimaryState.SENDING_STATE || s == PrimaryState.AWAITING_RECEIVED
                || s == PrimaryState.AWAITING_LOADED;
    }

    /** Ends the current checkpoint without a load: the VM runs again, uncommitted state is sent again next time. */
    private void abandon(String reason) {
        cancelSyncTimer();
        // Both right here, not queued: the retry's capture also runs here and must see the pages put back.
        if (captureTaken && !currentCommitted) {
            vm.captureAborted();
        }
        captureTaken = false;
        vm.resume();
        if (!currentCommitted && currentId != 0) {
            aborted++;
            listener.onCheckpointAborted(currentId, reason);
        }
    }

    @Override
    protected void vmFailed(Channel c, String reason) {
        if (c == link && c != null) {
            send(new Message.Abort(currentId, reason));
            linkFailed(c, reason);
        }
    }

    @Override
    protected void onLinkLost(String reason) {
        if (state == PrimaryState.CLOSED) {
            return;
        }
        if (handshakePeer != null) {
            // Never a secondary of ours: nothing was started for it, nothing to report but the refusal.
            String from = describe(handshakePeer);
            handshakePeer = null;
            state = PrimaryState.UNPROTECTED;
            refusals.record(refusalKind(reason), from, "refused " + from + " before its handshake completed: " + reason);
            return;
        }
        boolean wasProtected = inSync;
        inSync = false;
        abandon(reason);
        if (periodic != null) {
            periodic.cancel(false);
        }
        pendingRequest = false;
        transition(PrimaryState.UNPROTECTED, reason);
        if (wasProtected) {
            // Before anything leaves unprotected: only a lease confirmed from now on proves the secondary cannot be
            // taking over (it may be alive behind a partition, and its VM never saw what we would release).
            leaseKeeper.secondaryLost();
            listener.onSecondaryLost(reason);
        }
    }

    /** "10.0.0.2:7480", "[fd00::1]:7480": as the links name their peers. */
    private static String describe(java.net.SocketAddress a) {
        return a instanceof InetSocketAddress i ? io.netty.util.NetUtil.toSocketAddressString(i) : String.valueOf(a);
    }

    /** A refusal's category for the counters: what comes before the details ("protocol error", "peer stalled"). */
    static String refusalKind(String reason) {
        if (reason.startsWith("refused ")) {
            return "handshake refused";
        }
        int colon = reason.indexOf(':');
        return colon > 0 ? reason.substring(0, colon) : reason;
    }

    @Override
    protected void closeRole() {
        loop.submit(() -> {
            leaseKeeper.close();
            if (server != null) {
                server.close();
            }
            if (handshakePeer != null) { // a stranger's quiet handshake ends with it
                handshakePeer = null;
                state = PrimaryState.UNPROTECTED;
            }
            transition(PrimaryState.CLOSED, "closed");
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
        arbiter.release(config.clusterId(), config.nodeId());
    }
}
