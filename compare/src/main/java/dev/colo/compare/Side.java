package dev.colo.compare;

/** Which replica a frame came from. */
public enum Side {
    PRIMARY,
    SECONDARY;

    public static final int P = 0;
    public static final int S = 1;
}
