package dev.colo.kvm;

import dev.colo.kvm.devices.NetBackend;
import dev.colo.kvm.guest.GuestImage;
import java.util.function.Consumer;

/**
 * How to build a MicroVm. Defaults: 64 MiB, MAC 52:54:00:12:34:56, MTU 1500, guest address 10.77.0.2/24,
 * console lines dropped (they stay readable through {@link MicroVm#console()}).
 */
public record MicroVmConfig(GuestImage image, long memorySize, byte[] mac, int mtu, int ipv4, int prefixLength,
        String cmdline, NetBackend net, Consumer<String> consoleSink) {
    public static final long DEFAULT_MEMORY = 64L << 20;
    public static final byte[] DEFAULT_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    public static final int DEFAULT_IPV4 = (10 << 24) | (77 << 16) | 2;

    public MicroVmConfig {
        if (image == null) {
            throw new IllegalArgumentException("no guest image");
        }
        if (mac == null || mac.length != 6) {
            throw new IllegalArgumentException("a MAC has 6 bytes");
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " out of range 68..65535");
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0..32");
        }
        if (cmdline != null && cmdline.length() >= 240) {
            throw new IllegalArgumentException("command line longer than 239 characters");
        }
        mac = mac.clone();
    }

    public static MicroVmConfig of(GuestImage image, NetBackend net) {
        return new MicroVmConfig(image, DEFAULT_MEMORY, DEFAULT_MAC, 1500, DEFAULT_IPV4, 24, "", net, s -> { });
    }

    public MicroVmConfig withMemory(long bytes) {
        return new MicroVmConfig(image, bytes, mac, mtu, ipv4, prefixLength, cmdline, net, consoleSink);
    }

    public MicroVmConfig withNet(NetBackend backend) {
        return new MicroVmConfig(image, memorySize, mac, mtu, ipv4, prefixLength, cmdline, backend, consoleSink);
    }

    public MicroVmConfig withAddress(int address, int prefix) {
        return new MicroVmConfig(image, memorySize, mac, mtu, address, prefix, cmdline, net, consoleSink);
    }

    public MicroVmConfig withCmdline(String line) {
        return new MicroVmConfig(image, memorySize, mac, mtu, ipv4, prefixLength, line, net, consoleSink);
    }

    public MicroVmConfig withConsole(Consumer<String> sink) {
        return new MicroVmConfig(image, memorySize, mac, mtu, ipv4, prefixLength, cmdline, net, sink);
    }

    public MicroVmConfig withMac(byte[] address) {
        return new MicroVmConfig(image, memorySize, address, mtu, ipv4, prefixLength, cmdline, net, consoleSink);
    }
}
