package dev.colo.checkpoint;

import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.checkpoint.arbiter.Decision;
import dev.colo.checkpoint.protocol.Message;
import dev.colo.checkpoint.protocol.ProtocolException;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.checkpoint.protocol.Wire;
import dev.colo.checkpoint.vm.ReplicatedVm;
import dev.colo.checkpoint.vm.StateStaging;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The secondary node's coordinator. It connects to the primary (again and again until it is in
 * sync or promoted), stages every incoming state apart from its VM and applies it only when whole,
 * and takes over when the primary is lost and the arbiter agrees. A checkpoint that had reached
 * RECEIVED (the primary may already have released output that depends on it) is applied before the
 * takeover; one that had not is discarded, and the VM goes on from its last consistent state.
 */
public final class SecondaryCoordinator extends Coordinator<SecondaryState> {
    private InetSocketAddress primary;
    private final Bootstrap bootstrap;
    private volatile boolean everInSync;
    private boolean closing;
    /** Consecutive refused or failed joins: the reconnect delay doubles with each, up to {@link #MAX_BACKOFF_MS}. */
    private int failedJoins;
    private static final long MAX_BACKOFF_MS = 10_000;

    private long currentId;
    private Trigger currentTrigger;
    private StateStaging staging;
    private boolean stagingFull;
    private CRC32C crc;
    private long stagedBytes;
    private long transferStart;
    /** The full state of the first sync arrived whole (its apply may still be queued on the VM thread). */
    private boolean fullReceived;
    /**
     * Applies queued on the VM thread and not finished. While any is, nothing may be done inline:
     * inline work would overtake it (and the next state would be staged over the one being applied).
     */
    private int vmApplies;
    /** RECEIVED was sent for the staged state but it is not applied yet. */
    private volatile boolean committedUnapplied;

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("dev.colo.checkpoint");

    public SecondaryCoordinator(CheckpointConfig config, ReplicatedVm vm, Arbiter arbiter, CoordinatorListener listener) {
        super(Role.SECONDARY, SecondaryState.CONNECTING, config, vm, arbiter, listener);
        bootstrap = new Bootstrap().group(loop).channel(channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(100, config.peerTimeout().toMillis()))
                .handler(linkInitializer());
    }

    /** Connects to the primary; keeps reconnecting until in sync, promoted or closed. The VM stays paused until the first sync. */
    public void start(InetSocketAddress primaryAddress) {
        this.primary = primaryAddress;
        vm.pause();
        loop.execute(this::connect);
    }

    @Override
    protected boolean isCheckpointStep(SecondaryState from, SecondaryState to) {
        return everInSync && (to == SecondaryState.SUSPENDED || to == SecondaryState.RECEIVING_STATE
                || to == SecondaryState.LOADING || to == SecondaryState.RUNNING);
    }

    @Override
    protected boolean isProtected() {
        SecondaryState s = state;
        return everInSync && s != SecondaryState.PROMOTED && s != SecondaryState.CLOSED && s != SecondaryState.CONNECTING;
    }

    private void connect() {
        if (closing || takingOver || state == SecondaryState.PROMOTED) {
            return;
        }
        transition(SecondaryState.CONNECTING, "to " + primary);
        ChannelFuture f = bootstrap.connect(primary);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                reconnectLater();
            }
        });
    }

    private void reconnectLater() {
        long delay = Math.min(MAX_BACKOFF_MS, config.reconnectDelay().toMillis() << Math.min(failedJoins, 16));
        failedJoins++;
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** Operator's command: take over now (still subject to the arbiter). Thread-safe. */
    public void failover(String reason) {
        loop.execute(() -> {
            Channel c = link;
            if (c != null) {
                linkFailed(c, "manual failover: " + reason);
            } else {
                promote("manual failover: " + reason);
            }
        });
    }

    // ------------------------------------------------------------ link

    @Override
    protected void onLinkUp(Channel c) {
        if (takingOver || closing) {
            c.close(); // a connect that was in flight when the takeover was granted
            return;
        }
        link = c;
        fullReceived = false;
        vmApplies = 0; // a new link starts with a full state, applied on the VM thread after anything stale
        transition(SecondaryState.HANDSHAKING, "connected to " + c.remoteAddress());
        sayHello();
    }

    @Override
    protected void onMessage(Message m) throws ProtocolException {
        switch (m.type()) {
            case HELLO -> onHello((Message.Hello) m);
            case REFUSED -> linkFailed(link, "primary refused: " + ((Message.Refused) m).reason());
            case SEND -> onSend((Message.Send) m);
            case STATE_CHUNK -> onChunk((Message.StateChunk) m);
            case STATE_END -> onEnd((Message.StateEnd) m);
            case NEW -> onNew((Message.New) m);
            case ABORT -> onPeerAbort((Message.Abort) m);
            default -> throw outOfTurn(m, state);
        }
    }

    private void onHello(Message.Hello h) throws ProtocolException {
        if (!acceptHello(h, SecondaryState.HANDSHAKING)) {
            return;
        }
        transition(SecondaryState.AWAITING_STATE, "primary " + peer + " accepted");
        awaitSyncPoint("the first state");
    }

    private void onNew(Message.New m) throws ProtocolException {
        boolean first = state == SecondaryState.AWAITING_STATE && m.trigger() == Trigger.INITIAL && fullReceived;
        if (state != SecondaryState.RUNNING && !first) {
            throw outOfTurn(m, state);
        }
        cancelSyncTimer();
        currentId = m.checkpointId();
        currentTrigger = m.trigger();
        long id = currentId;
        String why = "checkpoint " + id + " (" + currentTrigger + ": " + m.reason() + ")";
        Runnable suspended = () -> {
            transition(SecondaryState.SUSPENDED, why);
            send(new Message.Suspended(id));
            awaitSyncPoint("SEND");
        };
        if (vmApplies > 0) {
            onVm(vm::pause, suspended, "pausing the VM"); // after the apply still queued there
            return;
        }
        // Pausing is bounded: done right here, without waking the VM thread.
        vm.pause();
        suspended.run();
    }

    private void onSend(Message.Send m) throws ProtocolException {
        boolean full = m.full();
        if (full ? state != SecondaryState.AWAITING_STATE : state != SecondaryState.SUSPENDED || m.checkpointId() != currentId) {
            throw outOfTurn(m, state);
        }
        currentId = m.checkpointId();
        staging = vm.beginStaging(full);
        stagingFull = full;
        crc = new CRC32C();
        stagedBytes = 0;
        transferStart = System.nanoTime();
        transition(full ? SecondaryState.RECEIVING_FULL : SecondaryState.RECEIVING_STATE, "checkpoint " + currentId);
        awaitSyncPoint("state");
    }

    private void onChunk(Message.StateChunk m) throws ProtocolException {
        ByteBuf data = m.data();
        if (m.checkpointId() != currentId
                || (state != SecondaryState.RECEIVING_FULL && state != SecondaryState.RECEIVING_STATE)) {
            data.release();
            throw outOfTurn(m, state);
        }
        awaitSyncPoint("state");
        int n = data.readableBytes();
        crc.update(data.nioBuffer());
        stagedBytes += n;
        // Copied once, straight from the network buffer into the staging area, on the link's thread: a
        // chunk is a quarter MiB (tens of microseconds), and verify can then answer RECEIVED without a hop.
        try {
            staging.accept(data.nioBuffer());
        } catch (java.io.IOException e) {
            rejectStaged(staging, "state rejected: " + e.getMessage());
        } finally {
            data.release();
        }
    }

    private void onEnd(Message.StateEnd m) throws ProtocolException {
        if (m.checkpointId() != currentId
                || (state != SecondaryState.RECEIVING_FULL && state != SecondaryState.RECEIVING_STATE)) {
            throw outOfTurn(m, state);
        }
        cancelSyncTimer();
        if (m.totalBytes() != stagedBytes || m.crc32c() != (int) crc.getValue()) {
            rejectStaged(staging, "state stream damaged: " + stagedBytes + " bytes with CRC-32C "
                    + Integer.toHexString((int) crc.getValue()) + ", primary sent " + m.totalBytes() + " bytes with "
                    + Integer.toHexString(m.crc32c()));
            return;
        }
        lastTransferBytes = stagedBytes;
        lastTransferNanos = System.nanoTime() - transferStart;
        StateStaging s = staging;
        long id = currentId;
        if (stagingFull) {
            // The primary goes on at once (sync points are one-way): the VM thread applies in order before the next pause.
            staging = null;
            fullReceived = true;
            transition(SecondaryState.AWAITING_STATE, "full state received (" + lastTransferBytes + " bytes)");
            vmApplies++;
            Channel c = link;
            vmThread.execute(() -> {
                String failure = null;
                try {
                    s.apply();
                } catch (Exception e) {
                    failure = e.getMessage();
                }
                String f = failure;
                loop.execute(() -> {
                    if (link == c) {
                        vmApplies--;
                        if (f != null) {
                            vmFailed(c, "applying the full state failed: " + f);
                        }
                    }
                });
            });
            awaitSyncPoint("the first checkpoint");
            return;
        }
        try {
            s.verify();
        } catch (java.io.IOException e) {
            rejectStaged(s, "checkpoint " + id + " rejected: " + e.getMessage());
            return;
        }
        committedUnapplied = true;
        transition(SecondaryState.LOADING, "checkpoint " + id + " received (" + lastTransferBytes + " bytes)");
        send(new Message.Received(id));
        Channel c = link;
        boolean first = currentTrigger == Trigger.INITIAL;
        Trigger trigger = currentTrigger;
        if (s.size() <= config.inlineStateBytes() && vmApplies == 0) {
            // A small delta is applied right here: no thread wake-up between RECEIVED and LOADED.
            try {
                s.apply();
            } catch (Exception e) {
                vmFailed(c, "applying checkpoint " + id + " failed: " + e.getMessage());
                return;
            }
            loaded(c, id, trigger, first);
            vm.resume();
            return;
        }
        // A large one on the VM thread; the state moves to RUNNING (posted before LOADED is written) so
        // that the primary's next NEW always finds it there.
        vmApplies++;
        vmThread.execute(() -> {
            try {
                s.apply();
            } catch (Exception e) {
                loop.execute(() -> {
                    if (link == c) {
                        vmApplies--;
                        vmFailed(c, "applying checkpoint " + id + " failed: " + e.getMessage());
                    }
                });
                return;
            }
            loop.execute(() -> {
                if (link == c) {
                    vmApplies--;
                }
                loaded(c, id, trigger, first);
            });
            vm.resume();
        });
    }

    /** On the link's thread, once the staged state is applied. */
    private void loaded(Channel c, long id, Trigger trigger, boolean first) {
        committedUnapplied = false;
        if (link != c) {
            return;
        }
        staging = null;
        countCheckpoint(trigger);
        transition(SecondaryState.RUNNING, "checkpoint " + id + " loaded");
        listener.onCheckpointCommitted(id, trigger);
        send(new Message.Loaded(id));
        if (first) {
            everInSync = true;
            failedJoins = 0;
            send(new Message.CheckpointReady(id));
        }
    }

    /** The staged state is unusable: drop it, tell the primary, run on from the last consistent state. */
    private void rejectStaged(StateStaging s, String reason) {
        if (s != staging || link == null) {
            return;
        }
        cancelSyncTimer();
        s.discard();
        staging = null;
        aborted++;
        listener.onCheckpointAborted(currentId, reason);
        if (stagingFull || !everInSync) {
            send(new Message.Abort(currentId, reason));
            linkFailed(link, reason); // a first sync cannot be half done: start over
            return;
        }
        // Back to RUNNING before the ABORT goes out: the primary's retry (a NEW) may follow at once.
        transition(SecondaryState.RUNNING, "checkpoint " + currentId + " aborted: " + reason);
        vmThread.execute(vm::resume);
        send(new Message.Abort(currentId, reason));
    }

    private void onPeerAbort(Message.Abort m) {
        if (staging != null) {
            staging.discard();
            staging = null;
        }
        aborted++;
        listener.onCheckpointAborted(m.checkpointId(), "primary aborted: " + m.reason());
        if (!everInSync) {
            linkFailed(link, "primary aborted the first sync: " + m.reason());
            return;
        }
        cancelSyncTimer();
        transition(SecondaryState.RUNNING, "checkpoint " + m.checkpointId() + " aborted by the primary");
        vmThread.execute(vm::resume);
    }

    @Override
    protected void vmFailed(Channel c, String reason) {
        if (c != link || c == null) {
            return;
        }
        if (staging != null) {
            rejectStaged(staging, reason);
        } else {
            linkFailed(c, reason);
        }
    }

    @Override
    protected void onLinkLost(String reason) {
        if (closing || takingOver || state == SecondaryState.PROMOTED || state == SecondaryState.CLOSED) {
            return;
        }
        StateStaging s = staging;
        staging = null;
        if (!everInSync) {
            if (s != null) {
                s.discard();
            }
            transition(SecondaryState.CONNECTING, reason + "; not yet in sync: reconnecting");
            reconnectLater();
            return;
        }
        if (s != null && !committedUnapplied) {
            s.discard(); // never reached RECEIVED: the primary released nothing that depends on it
        }
        promote(reason);
    }

    /** Keeps the lease once granted a takeover, and decides when output may leave (see {@link ReleasePermit}). */
    private final LeaseKeeper leaseKeeper = new LeaseKeeper(this);

    /** What the node checks before each frame it releases once promoted: see {@link ReleasePermit}. Any thread. */
    public ReleasePermit releasePermit() {
        return leaseKeeper.permit();
    }

    /** Echoes each of the primary's heartbeats at once: the echo tells it when we last heard it. */
    @Override
    protected void onHeartbeat(Channel c, long value) {
        echo = value;
        c.writeAndFlush(new Message.Heartbeat(value));
    }

    /** Our idle heartbeats repeat the last value the primary sent. */
    @Override
    protected long heartbeatValue() {
        return echo;
    }

    /** Refused takeovers, as episodes: the first line of each, then counts (a refusal every retry would flood the log). */
    private final dev.colo.ops.EpisodeLog refusals = new dev.colo.ops.EpisodeLog("SECONDARY " + config.nodeId(), "takeover refusals",
            java.time.Duration.ofSeconds(10), LOG::info);

    /** The value of the primary's last heartbeat (loop only). */
    private long echo;
    /** Granted a takeover: going live; never rejoin the old primary (loop only). */
    private boolean takingOver;

    /** Asks the arbiter, then takes over; if refused (the primary lives), rejoins for a full sync. */
    private void promote(String reason) {
        failover = "ACTIVE";
        failoverReason = reason;
        if (link == null) { // else a rejoin is under way: it goes on while we ask
            transition(SecondaryState.CONNECTING, "primary lost: " + reason + "; asking " + arbiter.describe());
        }
        vmThread.execute(() -> {
            Decision d = arbiter.requestPromotion(config.clusterId(), config.nodeId(), config.promotionTimeout());
            loop.execute(() -> {
                if (closing) {
                    return;
                }
                if (!d.granted()) {
                    failover = "DENIED";
                    failoverReason = reason + "; arbiter refused: " + d.reason();
                    // The first refusal of an episode says why, then a summary per window: the secondary asks every
                    // promotion retry (50 ms) for as long as the primary keeps its lease, a partition may last hours.
                    refusals.record("refused", "arbiter", "arbiter refused takeover ("
                            + d.reason() + "): " + (arbiter.mayGrantLater() ? "asking again every " + config.promotionRetry().toMillis()
                            + " ms, and trying" : "trying") + " to rejoin the primary meanwhile");
                    boolean rejoining = link != null;
                    if (!rejoining) {
                        transition(SecondaryState.CONNECTING, "arbiter refused takeover (" + d.reason() + "): asking again, rejoining meanwhile");
                    }
                    boolean firstRefusal = everInSync;
                    everInSync = false; // our VM diverged: the next join is a full sync
                    if (firstRefusal && !rejoining) {
                        reconnectLater();
                    }
                    if (!arbiter.mayGrantLater()) {
                        return; // final (no arbiter configured): asking again would only flood the log
                    }
                    // A dead primary's lease runs out later: keep asking until granted or the primary is back (a
                    // rejoin completed its sync), also while a rejoin is under way: it may never complete.
                    loop.schedule(() -> {
                        if (!closing && !everInSync && state != SecondaryState.PROMOTED && "DENIED".equals(failover)) {
                            promote(reason);
                        }
                    }, Math.max(1, config.promotionRetry().toMillis()), TimeUnit.MILLISECONDS); // CheckpointConfig#promotionRetry
                    return;
                }
                leaseKeeper.start(); // the lease is ours now: keep it, or the old primary could claim it back
                takingOver = true; // no more rejoins, and no more echoes: the old primary's contact ends here
                if (link != null) {
                    linkFailed(link, "taking over");
                }
                // Under a lease the old primary may release while we echo its heartbeats: until 80 % of a peer
                // timeout after its last one we heard. Going live before a whole peer timeout of silence could
                // overlap with it (a link closed at once, or a manual failover, is noticed sooner than that).
                long quiet = arbiter.leased() ? lastMessageNanos + config.peerTimeout().toNanos() - System.nanoTime() : 0;
                Runnable goLive = () -> onVmAlways(vm::resume, () -> {
                    // Wait for the VM thread: an apply of a committed checkpoint still running there finishes first.
                    if (closing) {
                        return;
                    }
                    failover = "COMPLETED";
                    transition(SecondaryState.PROMOTED, reason + "; takeover granted: " + d.reason());
                    listener.onFailover(reason);
                });
                if (quiet > 0) {
                    LOG.info(() -> "SECONDARY " + config.nodeId() + ": takeover granted; going live in " + quiet / 1_000_000
                            + " ms, a whole peer timeout after the primary was last heard");
                    loop.schedule(goLive, quiet, TimeUnit.NANOSECONDS);
                } else {
                    goLive.run();
                }
            });
        });
    }

    private void onVmAlways(VmTask task, Runnable then) {
        vmThread.execute(() -> {
            try {
                task.run();
            } catch (Exception e) {
                failoverReason += "; " + e.getMessage();
            }
            loop.execute(then);
        });
    }

    @Override
    protected void closeRole() {
        boolean wasLive = state == SecondaryState.PROMOTED;
        loop.submit(() -> {
            closing = true;
            leaseKeeper.close();
            transition(SecondaryState.CLOSED, "closed");
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (wasLive) {
            arbiter.release(config.clusterId(), config.nodeId());
        }
    }
}
