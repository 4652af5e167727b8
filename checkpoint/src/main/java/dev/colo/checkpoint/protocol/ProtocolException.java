package dev.colo.checkpoint.protocol;

/** The peer broke the protocol: a frame too large, an unknown or truncated message, a message out of turn. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
