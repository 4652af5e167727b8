package dev.colo.proxy.io;

import dev.colo.lab.Netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The far side of the link: python3 AF_PACKET sockets inside a namespace inject and capture frames. */
final class PyFrames {
    private static final String SCRIPT = """
            import select, socket, sys, time
            mode, ifname = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            s.bind((ifname, 0))
            if mode == 'send':
                for h in sys.argv[3:]:
                    s.send(bytes.fromhex(h))
            else:
                ethertype, count = int(sys.argv[3], 16), int(sys.argv[4])
                deadline = time.time() + float(sys.argv[5])
                print('ready', flush=True)
                while count > 0 and time.time() < deadline:
                    if not select.select([s], [], [], max(0.0, deadline - time.time()))[0]:
                        break
                    data, addr = s.recvfrom(70000)
                    if addr[2] != socket.PACKET_OUTGOING and int.from_bytes(data[12:14], 'big') == ethertype:
                        print(data.hex(), flush=True)
                        count -= 1
            """;
    private static Path script;

    private PyFrames() {
    }

    private static synchronized String script() throws IOException {
        if (script == null) {
            script = Files.createTempFile("colo-io-frames", ".py");
            script.toFile().deleteOnExit();
            Files.writeString(script, SCRIPT);
        }
        return script.toString();
    }

    /** Sends the frames out of {@code ifname} inside the namespace, in order. */
    static void inject(Netns ns, String ifname, byte[]... frames) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", script(), "send", ifname));
        for (byte[] f : frames) {
            cmd.add(Frames.hex(f));
        }
        ns.exec(cmd.toArray(String[]::new));
    }

    /** Starts capturing frames of {@code ethertype} arriving on {@code ifname}; returns once the socket listens. */
    static Capture capture(Netns ns, String ifname, int ethertype, int count) throws IOException {
        Process p = ns.start("python3", script(), "recv", ifname, Integer.toHexString(ethertype), Integer.toString(count), "5");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String first = out.readLine();
        if (!"ready".equals(first)) {
            throw new IOException("capture in " + ns.name() + " did not start: " + first);
        }
        return new Capture(p, out);
    }

    record Capture(Process process, BufferedReader out) {
        /** The captured frames, once the expected count came (or 5 s passed). */
        List<byte[]> frames() throws IOException, InterruptedException {
            List<byte[]> frames = new ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) {
                frames.add(HexFormat.of().parseHex(line.trim()));
            }
            process.waitFor(10, TimeUnit.SECONDS);
            return frames;
        }
    }
}
