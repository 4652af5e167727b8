package dev.colo.proxy.rewrite;

/** What the rewriter did with a frame. Every frame passes on; only REWRITTEN ones changed. */
public enum Verdict {
    REWRITTEN,
    /** TCP, but nothing to change: offset zero, or not known yet, or a connection first seen mid-stream. */
    UNCHANGED,
    NOT_TCP,
    /** Could not be parsed; passed on untouched. */
    MALFORMED
}
