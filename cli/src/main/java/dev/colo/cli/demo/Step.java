package dev.colo.cli.demo;

/** One step of the demo and how it went. */
record Step(String name, Outcome outcome, String detail) {
    enum Outcome {
        PASSED, FAILED, NOT_SHOWN
    }

    /** Thrown inside a step: the demo stops there and reports why. */
    static final class Failed extends Exception {
        Failed(String why) {
            super(why);
        }
    }
}
