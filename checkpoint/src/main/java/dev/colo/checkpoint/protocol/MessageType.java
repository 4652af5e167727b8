package dev.colo.checkpoint.protocol;

/** Message codes on the wire. */
public enum MessageType {
    HELLO(1),
    REFUSED(2),
    CHECKPOINT_READY(3),
    NEW(4),
    SUSPENDED(5),
    SEND(6),
    STATE_CHUNK(7),
    STATE_END(8),
    RECEIVED(9),
    LOADED(10),
    ABORT(11),
    HEARTBEAT(12);

    private static final MessageType[] BY_CODE = new MessageType[16];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    final int code;

    MessageType(int code) {
        this.code = code;
    }

    static MessageType of(int code) throws ProtocolException {
        MessageType t = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (t == null) {
            throw new ProtocolException("unknown message type " + code);
        }
        return t;
    }
}
