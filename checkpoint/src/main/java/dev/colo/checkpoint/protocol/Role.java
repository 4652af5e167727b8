package dev.colo.checkpoint.protocol;

/** A node's role on the checkpoint link. */
public enum Role {
    PRIMARY,
    SECONDARY;

    private static final Role[] VALUES = values();

    static Role of(int code) throws ProtocolException {
        if (code < 0 || code >= VALUES.length) {
            throw new ProtocolException("unknown role code " + code);
        }
        return VALUES[code];
    }
}
