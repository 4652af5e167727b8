package dev.colo.kvm.devices;

import com.sun.jna.LastErrorException;
import dev.colo.kvm.sys.LibC;

/** A NIC with no cable: frames sent vanish, none arrive. Waiting for one just sleeps (a kick ends it early). */
public final class DisconnectedNet implements NetBackend {
    @Override
    public void transmit(long src, int length) {
    }

    @Override
    public int receive(long dst, int capacity) {
        return -1;
    }

    @Override
    public boolean awaitFrame(int timeoutMillis) {
        try {
            LibC.poll(null, 0, timeoutMillis);
        } catch (LastErrorException e) {
            // EINTR: kicked
        }
        return false;
    }

    @Override
    public String describe() {
        return "disconnected";
    }

    @Override
    public void close() {
    }
}
