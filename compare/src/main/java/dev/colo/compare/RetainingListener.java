package dev.colo.compare;

/**
 * A listener that hands released frames on by reference instead of copying them (the pipeline's emit
 * ring). The comparator then keeps each released slot untouched until {@link #consumedSequence()}
 * has reached the sequence {@link #lastReleaseSequence()} gave for it.
 */
public interface RetainingListener extends DecisionListener {
    /** The sequence of the last {@link #onRelease} call's event. */
    long lastReleaseSequence();

    /** The highest sequence the consumer has finished with. */
    long consumedSequence();
}
