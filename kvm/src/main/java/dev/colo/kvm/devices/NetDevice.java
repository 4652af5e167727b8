package dev.colo.kvm.devices;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The guest's NIC: a MAC, an MTU and a backend. Its saved state is its identity and counters. */
public final class NetDevice {
    public static final int STATE_SIZE = 32;

    private final byte[] mac;
    private final int mtu;
    private final NetBackend backend;
    private long txFrames;
    private long rxFrames;

    public NetDevice(byte[] mac, int mtu, NetBackend backend) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC has 6 bytes");
        }
        this.mac = mac.clone();
        this.mtu = mtu;
        this.backend = backend;
    }

    public byte[] mac() {
        return mac.clone();
    }

    public int mtu() {
        return mtu;
    }

    /** Largest frame the guest may send or receive: MTU plus the Ethernet header. */
    public int maxFrame() {
        return mtu + 14;
    }

    public NetBackend backend() {
        return backend;
    }


    public void transmit(long src, int length) {
        backend.transmit(src, length);
        txFrames++;
    }

    public int receive(long dst, int capacity) {
        int n = backend.receive(dst, capacity);
        if (n >= 0) {
            rxFrames++;
        }
        return n;
    }

    public long txFrames() {
        return txFrames;
    }

    public long rxFrames() {
        return rxFrames;
    }

    public byte[] saveState() {
        ByteBuffer b = ByteBuffer.allocate(STATE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(mac).putShort((short) 0).putInt(mtu).putLong(txFrames).putLong(rxFrames).putInt(0);
        return b.array();
    }

    /** Counters come from the saved device; MAC and MTU must match (both VMs of a pair are configured alike). */
    public void restoreState(ByteBuffer state) {
        ByteBuffer b = state.order(ByteOrder.LITTLE_ENDIAN);
        byte[] savedMac = new byte[6];
        b.get(savedMac);
        b.getShort();
        int savedMtu = b.getInt();
        if (!java.util.Arrays.equals(savedMac, mac) || savedMtu != mtu) {
            throw new IllegalStateException("saved NIC has another MAC or MTU than this VM's");
        }
        txFrames = b.getLong();
        rxFrames = b.getLong();
    }
}
