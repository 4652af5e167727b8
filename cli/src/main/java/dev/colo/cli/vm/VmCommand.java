package dev.colo.cli.vm;

import dev.colo.kvm.MicroVm;
import dev.colo.kvm.MicroVmConfig;
import dev.colo.kvm.devices.DisconnectedNet;
import dev.colo.kvm.devices.NetBackend;
import dev.colo.kvm.devices.TapDevice;
import dev.colo.kvm.guest.GuestImage;
import dev.colo.kvm.sys.KvmException;
import dev.colo.kvm.vmm.VmStop;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "vm",
        header = "Boots the bundled guest (or an image) on KVM with a TAP NIC.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Boots a guest on this host's KVM and runs it until it halts or you stop it.",
            "The default guest is the bundled network service: ARP, ICMP echo, UDP echo",
            "(port 7) and a TCP line service (port 9000: SET k v, GET k, INCR k, COUNT,",
            "ECHO text, TSC, FILL n, BLOB n, QUIT). Its NIC is a TAP device that this",
            "command creates; give the host side an address or put it on a bridge, e.g.",
            "  ip addr add 10.77.0.1/24 dev colo0 && ip link set colo0 up",
            "Guest console lines are printed on standard output."},
        footer = {
            "%nExamples:",
            "  colo vm --tap colo0",
            "  colo vm --tap colo0 --ip 192.168.50.2/24 --memory 128M",
            "%nExit codes:",
            "  0    the guest halted with status 0, or SIGINT/SIGTERM stopped it",
            "  1    the guest halted with another status, or crashed (the message says how)",
            "  2    bad command line",
            "  4    KVM or the TAP device could not be set up (the message says why)"})
public final class VmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tap", paramLabel = "NAME", defaultValue = "",
            description = "TAP device to create for the guest's NIC (at most 15 characters). Default: the kernel picks tapN.")
    String tap;

    @Option(names = "--no-net", description = "No NIC cable: the guest's frames go nowhere.")
    boolean noNet;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "64M",
            description = "Guest RAM, a multiple of 2M, at most 1G (suffixes K, M, G). Default: ${DEFAULT-VALUE}.")
    String memory;

    @Option(names = "--ip", paramLabel = "ADDR/PREFIX", defaultValue = "10.77.0.2/24",
            description = "The guest's IPv4 address. Default: ${DEFAULT-VALUE}.")
    String ip;

    @Option(names = "--mac", paramLabel = "MAC", defaultValue = "52:54:00:12:34:56", description = "Default: ${DEFAULT-VALUE}.")
    String mac;

    @Option(names = "--mtu", defaultValue = "1500", description = "Default: ${DEFAULT-VALUE}.")
    int mtu;

    @Option(names = "--image", paramLabel = "FILE", description = "A flat 64-bit guest binary to run instead of the bundled guest.")
    Path image;

    @Option(names = "--cmdline", paramLabel = "TEXT", defaultValue = "",
            description = "Options for the guest, e.g. \"tcp_port=8000 udp_port=7\".")
    String cmdline;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        MicroVmConfig config = config(out);
        CountDownLatch stopped = new CountDownLatch(1);
        MicroVm vm;
        try {
            vm = MicroVm.create(config);
        } catch (KvmException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("colo vm: " + e.getMessage());
            config.net().close();
            return 4;
        }
        Thread hook = new Thread(() -> {
            vm.close();
            stopped.countDown();
        }, "colo-vm-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("colo vm: %s, NIC %s, %s%n", vm.identity(), config.net().describe(), ip);
        out.flush();
        vm.resume();
        VmStop stop;
        while ((stop = vm.stopped()) == null && stopped.getCount() > 0) {
            Thread.sleep(50);
        }
        if (stop == null) {
            return 0;
        }
        out.println("colo vm: " + stop.message());
        out.flush();
        vm.close();
        Runtime.getRuntime().removeShutdownHook(hook);
        return stop.kind() == VmStop.Kind.HALTED && stop.status() == 0 ? 0 : 1;
    }

    private MicroVmConfig config(PrintWriter out) throws IOException {
        GuestImage guest = image == null ? GuestImage.bundled() : readImage();
        long bytes = parseSize(memory);
        String[] parts = ip.split("/", 2);
        int address = parseIpv4(parts[0]);
        int prefix;
        try {
            prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : 24;
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--ip: bad prefix length in '" + ip + "'");
        }
        byte[] macBytes = parseMac(mac);
        NetBackend net;
        if (noNet) {
            net = new DisconnectedNet();
        } else {
            try {
                net = TapDevice.open(tap);
            } catch (KvmException e) {
                throw new ParameterException(spec.commandLine(), "--tap: " + e.getMessage());
            }
        }
        PrintWriter console = out;
        try {
            return new MicroVmConfig(guest, bytes, macBytes, mtu, address, prefix, cmdline, net, line -> {
                console.println(line);
                console.flush();
            });
        } catch (IllegalArgumentException e) {
            net.close();
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private GuestImage readImage() throws IOException {
        if (!Files.isReadable(image)) {
            throw new ParameterException(spec.commandLine(), "--image: cannot read " + image);
        }
        return GuestImage.of(image.getFileName().toString(), Files.readAllBytes(image));
    }

    long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t) * unit;
            if (v <= 0 || v % (2L << 20) != 0 || v > (1L << 30)) {
                throw new ParameterException(spec.commandLine(), "--memory: " + text + " is not a multiple of 2M between 2M and 1G");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--memory: '" + text + "' is not a size like 64M");
        }
    }

    private int parseIpv4(String text) {
        String[] octets = text.split("\\.");
        if (octets.length != 4) {
            throw new ParameterException(spec.commandLine(), "--ip: '" + text + "' is not an IPv4 address");
        }
        int v = 0;
        for (String o : octets) {
            int b;
            try {
                b = Integer.parseInt(o);
            } catch (NumberFormatException e) {
                b = -1;
            }
            if (b < 0 || b > 255) {
                throw new ParameterException(spec.commandLine(), "--ip: '" + text + "' is not an IPv4 address");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    private byte[] parseMac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new ParameterException(spec.commandLine(), "--mac: '" + text + "' is not like 52:54:00:12:34:56");
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            try {
                b[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--mac: '" + text + "' is not like 52:54:00:12:34:56");
            }
        }
        return b;
    }
}
