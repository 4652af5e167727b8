package dev.colo.cli.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The three TCP endpoints of a pair: checkpoint protocol, mirror link, redirect link. */
public record NodeAddresses(InetSocketAddress checkpoint, InetSocketAddress mirror, InetSocketAddress redirect) {
    public static final int DEFAULT_CHECKPOINT_PORT = 7477;
    public static final int DEFAULT_MIRROR_PORT = 7480;
    public static final int DEFAULT_REDIRECT_PORT = 7481;

    /** All three on one host, with the default ports or, for {@code basePort} = 0, any free ports. */
    public static NodeAddresses on(InetAddress host, boolean anyPort) {
        return new NodeAddresses(new InetSocketAddress(host, anyPort ? 0 : DEFAULT_CHECKPOINT_PORT),
                new InetSocketAddress(host, anyPort ? 0 : DEFAULT_MIRROR_PORT),
                new InetSocketAddress(host, anyPort ? 0 : DEFAULT_REDIRECT_PORT));
    }
}
