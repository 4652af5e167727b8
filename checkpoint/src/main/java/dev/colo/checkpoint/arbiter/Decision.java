package dev.colo.checkpoint.arbiter;

import java.util.Objects;

/** The answer to a promotion request: whether the node may become primary, and why (for the log). */
public record Decision(boolean granted, String reason) {
    public Decision {
        Objects.requireNonNull(reason, "reason");
    }

    public static Decision grant(String reason) {
        return new Decision(true, reason);
    }

    public static Decision refuse(String reason) {
        return new Decision(false, reason);
    }
}
