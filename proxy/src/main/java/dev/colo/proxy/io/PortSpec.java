package dev.colo.proxy.io;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A frame port as named on the command line: "afpacket:veth0", "tap:colo0", "pcap:eth1", or a bare
 * interface name for the default backend (AF_PACKET).
 */
public record PortSpec(FramePortType type, String device) {
    private static final int MAX_INTERFACE_NAME = 15; // IFNAMSIZ minus the terminating NUL

    public PortSpec {
        String problem = interfaceNameProblem(device);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Throws IllegalArgumentException naming the backends when {@code spec} is not TYPE:INTERFACE. */
    public static PortSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw bad(spec, "empty");
        }
        int colon = spec.indexOf(':');
        if (colon < 0) {
            return new PortSpec(FramePortType.AFPACKET, checked(spec, spec));
        }
        String typeName = spec.substring(0, colon).trim().toUpperCase(Locale.ROOT);
        FramePortType type = Arrays.stream(FramePortType.values()).filter(t -> t.name().equals(typeName)).findFirst()
                .orElseThrow(() -> bad(spec, "unknown backend '" + spec.substring(0, colon) + "'"));
        return new PortSpec(type, checked(spec, spec.substring(colon + 1)));
    }

    public FramePort open(PortOptions options) throws PortException {
        return FramePorts.open(type, device, options);
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(Locale.ROOT) + ":" + device;
    }

    /** Why {@code name} cannot be a Linux interface name, or null if it can. */
    static String interfaceNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "interface name missing";
        }
        if (name.length() > MAX_INTERFACE_NAME) {
            return "interface name '" + name + "' longer than " + MAX_INTERFACE_NAME + " characters";
        }
        if (!name.chars().allMatch(c -> c > ' ' && c < 127 && c != '/' && c != ':')) {
            return "interface name '" + name + "' has a character Linux does not allow (space, '/', ':' or non-ASCII)";
        }
        return null;
    }

    static void checkInterfaceName(String port, String name) throws PortException {
        String problem = interfaceNameProblem(name);
        if (problem != null) {
            throw new PortException(port, problem);
        }
    }

    private static String checked(String spec, String device) {
        String problem = interfaceNameProblem(device);
        if (problem != null) {
            throw bad(spec, problem);
        }
        return device;
    }

    private static IllegalArgumentException bad(String spec, String why) {
        String choices = Arrays.stream(FramePortType.values()).map(t -> t.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        return new IllegalArgumentException("bad port '" + spec + "': " + why + "; expected TYPE:INTERFACE with TYPE one of "
                + choices + " (e.g. afpacket:veth0, tap:colo0, pcap:eth1), or a bare interface name for afpacket");
    }
}
