package dev.colo.checkpoint.protocol;

/** Why a checkpoint runs. */
public enum Trigger {
    /** The first sync of a (new) secondary. */
    INITIAL,
    /** The comparator saw a divergence (mismatch, timeout, queue full...). */
    ON_DEMAND,
    /** The periodic timer. */
    PERIODIC,
    /** An operator's command. */
    MANUAL;

    private static final Trigger[] VALUES = values();

    static Trigger of(int code) throws ProtocolException {
        if (code < 0 || code >= VALUES.length) {
            throw new ProtocolException("unknown trigger code " + code);
        }
        return VALUES[code];
    }
}
