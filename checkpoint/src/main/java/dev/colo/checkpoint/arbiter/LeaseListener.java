package dev.colo.checkpoint.arbiter;

/** Told about every lease change on a witness; called on the witness's I/O thread, so it must be quick. */
@FunctionalInterface
public interface LeaseListener {
    LeaseListener NONE = event -> { };

    void onLeaseChange(LeaseEvent event);
}
