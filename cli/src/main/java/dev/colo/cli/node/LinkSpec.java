package dev.colo.cli.node;

import dev.colo.checkpoint.arbiter.HostPort;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.link.FrameLinkClient;
import dev.colo.proxy.link.FrameLinkServer;
import dev.colo.proxy.link.FrameReceiver;
import dev.colo.proxy.link.LinkConfig;
import java.io.IOException;
import java.net.InetSocketAddress;

/** A link end as QEMU's socket chardevs name it: listen:HOST:PORT (server=on) or connect:HOST:PORT. */
public record LinkSpec(boolean listen, InetSocketAddress address) {
    public static LinkSpec parse(String spec) {
        String usage = "a link is listen:HOST:PORT or connect:HOST:PORT (IPv6 in brackets)";
        if (spec == null) {
            throw new IllegalArgumentException(usage);
        }
        boolean listen = spec.startsWith("listen:");
        if (!listen && !spec.startsWith("connect:")) {
            throw new IllegalArgumentException(usage + ", got '" + spec + "'");
        }
        HostPort hp = HostPort.parse(spec.substring(spec.indexOf(':') + 1));
        return new LinkSpec(listen, new InetSocketAddress(hp.host(), hp.port()));
    }

    /** @param loop the event loop the link runs on (shared with the caller's other links and work) */
    public FrameLink open(String name, LinkConfig config, FrameReceiver receiver, io.netty.channel.EventLoop loop) throws IOException {
        return listen ? new FrameLinkServer(name, address, config, receiver, loop) : new FrameLinkClient(name, address, config, receiver, loop);
    }
}
