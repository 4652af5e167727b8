package dev.colo.checkpoint.arbiter;

import java.util.Objects;

/**
 * A {@code HOST:PORT} pair as typed on a command line; IPv6 literals are written in brackets
 * ({@code [::1]:7478}) so the port cannot be mistaken for part of the address.
 */
public record HostPort(String host, int port) {
    static final int MAX_PORT = 65_535;

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("port " + port + " is not in 0.." + MAX_PORT);
        }
    }

    /** Parses {@code HOST:PORT} or {@code [IPv6]:PORT}; port 0 is accepted (the caller decides if it makes sense). */
    public static HostPort parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected HOST:PORT, got nothing");
        }
        String s = text.trim();
        String host;
        String portText;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPv6]:PORT, got '" + text + "'");
            }
            host = s.substring(1, close);
            portText = s.substring(close + 2);
        } else {
            int colon = s.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "' (no port)");
            }
            if (s.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + text
                        + "' (write an IPv6 address in brackets: [::1]:PORT)");
            }
            host = s.substring(0, colon);
            portText = s.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "' (no host)");
        }
        return new HostPort(host, parsePort(portText, text));
    }

    private static int parsePort(String portText, String whole) {
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + whole + "' (bad port '" + portText + "')");
        }
        int port = Integer.parseInt(portText);
        if (port > MAX_PORT) {
            throw new IllegalArgumentException("port " + port + " in '" + whole + "' is not in 0.." + MAX_PORT);
        }
        return port;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
