package dev.colo.proxy.io;

/** Run in a JVM set up to fail (no libpcap, no capabilities): prints what opening the port spec says. */
public final class OpenProbe {
    private OpenProbe() {
    }

    public static void main(String[] args) {
        try (FramePort port = FramePorts.open(args[0], PortOptions.defaults())) {
            System.out.println("opened " + port.describe());
        } catch (PortException e) {
            System.out.println(e.getMessage());
        }
    }
}
