package dev.colo.kvm.state;

import java.io.IOException;

/** A state stream that cannot be applied: the message says where (byte offset) and what is wrong. */
public class StateFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public StateFormatException(String message) {
        super(message);
    }
}
