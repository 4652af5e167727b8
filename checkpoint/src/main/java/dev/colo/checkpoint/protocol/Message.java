package dev.colo.checkpoint.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The messages of the checkpoint link. Each sync point of the protocol is one message in one direction
 * (seed: NEW, SUSPENDED, SEND, RECEIVED, LOADED, and CHECKPOINT_READY once after the first sync).
 */
public sealed interface Message {
    MessageType type();

    /** Both ends send one first; each checks the other's. */
    record Hello(int magic, int version, Role role, String nodeId, String clusterId, String vmIdentity) implements Message {
        public MessageType type() {
            return MessageType.HELLO;
        }
    }

    /** The handshake failed: why, then the link closes. */
    record Refused(String reason) implements Message {
        public MessageType type() {
            return MessageType.REFUSED;
        }
    }

    /** Secondary: the first state is loaded and the secondary VM runs; protection starts. */
    record CheckpointReady(long checkpointId) implements Message {
        public MessageType type() {
            return MessageType.CHECKPOINT_READY;
        }
    }

    /** Primary: a checkpoint starts; suspend your VM. */
    record New(long checkpointId, Trigger trigger, String reason) implements Message {
        public MessageType type() {
            return MessageType.NEW;
        }
    }

    /** Secondary: my VM is suspended. */
    record Suspended(long checkpointId) implements Message {
        public MessageType type() {
            return MessageType.SUSPENDED;
        }
    }

    /** Primary: the state stream follows (full for a first sync, else a delta). */
    record Send(long checkpointId, boolean full) implements Message {
        public MessageType type() {
            return MessageType.SEND;
        }
    }

    /** Primary: one chunk of the state stream. The receiver releases {@code data}. */
    record StateChunk(long checkpointId, ByteBuf data) implements Message {
        public MessageType type() {
            return MessageType.STATE_CHUNK;
        }
    }

    /** Primary: the stream is complete: its length and CRC-32C. */
    record StateEnd(long checkpointId, long totalBytes, int crc32c) implements Message {
        public MessageType type() {
            return MessageType.STATE_END;
        }
    }

    /** Secondary: the whole state is staged (the primary may release held output now). */
    record Received(long checkpointId) implements Message {
        public MessageType type() {
            return MessageType.RECEIVED;
        }
    }

    /** Secondary: the state is applied; both resume. */
    record Loaded(long checkpointId) implements Message {
        public MessageType type() {
            return MessageType.LOADED;
        }
    }

    /** Either side: this checkpoint is abandoned; both resume on their own state. */
    record Abort(long checkpointId, String reason) implements Message {
        public MessageType type() {
            return MessageType.ABORT;
        }
    }

    /**
     * Either side, when it has sent nothing else for a heartbeat interval. The primary's carries its send time (its
     * own clock); the secondary answers each at once with the same value (an echo, which proves when it last heard
     * the primary: see ReleasePermit), and its own idle heartbeats repeat the last value it received.
     */
    record Heartbeat(long sequence) implements Message {
        public MessageType type() {
            return MessageType.HEARTBEAT;
        }
    }
}
