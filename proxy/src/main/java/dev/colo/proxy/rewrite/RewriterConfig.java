package dev.colo.proxy.rewrite;

import java.time.Duration;

/** Named settings of the TCP rewriter, with defaults fit for a server VM. */
public final class RewriterConfig {
    public static final int DEFAULT_MAX_CONNECTIONS = 65536;
    /** After both FINs (or a RST) an entry stays this long, so late retransmissions are still rewritten. */
    public static final Duration DEFAULT_CLOSED_GRACE = Duration.ofSeconds(30);
    /** An entry with no frame for this long is dropped. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);

    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private long closedGraceNanos = DEFAULT_CLOSED_GRACE.toNanos();
    private long idleTimeoutNanos = DEFAULT_IDLE_TIMEOUT.toNanos();

    public int maxConnections() {
        return maxConnections;
    }

    public RewriterConfig maxConnections(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("max connections must be >= 1");
        }
        maxConnections = n;
        return this;
    }

    public long closedGraceNanos() {
        return closedGraceNanos;
    }

    public RewriterConfig closedGrace(Duration d) {
        closedGraceNanos = d.toNanos();
        return this;
    }

    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    public RewriterConfig idleTimeout(Duration d) {
        idleTimeoutNanos = d.toNanos();
        return this;
    }
}
