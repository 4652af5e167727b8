package dev.colo.cli.lab;

import dev.colo.cli.control.ControlClient;
import dev.colo.cli.control.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's released counter over time: its control socket asked every 20 ms on a thread of its own (a frozen or
 * killed node answers nothing; those moments are simply missing). Samples are kept up to a bound.
 */
final class ReleaseSampler implements AutoCloseable {
    /** One answer: when, the released counter, the coordinator's state, whether the node held its output fenced. */
    record Sample(long epochMillis, long released, String state, boolean fenced) {
    }

    private static final Pattern RELEASED = Pattern.compile("\"released\"\\s*:\\s*(\\d+)");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"(\\w+)\"");
    private static final int MAX_SAMPLES = 20_000;
    static final long PERIOD_MILLIS = 20;

    private final Path socket;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    ReleaseSampler(String name, Path socket) {
        this.socket = socket;
        this.thread = new Thread(this::run, "sampler-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            Sample s = ask(socket);
            if (s != null) {
                synchronized (samples) {
                    if (samples.size() < MAX_SAMPLES) {
                        samples.add(s);
                    }
                }
            }
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One status of the node at {@code socket}, or null when it does not answer within 200 ms. */
    static Sample ask(Path socket) {
        try {
            Reply r = ControlClient.call(socket, "status json", Duration.ofMillis(200));
            String json = String.join("\n", r.body());
            Matcher released = RELEASED.matcher(json);
            Matcher state = STATE.matcher(json);
            if (!r.ok() || !released.find()) {
                return null;
            }
            return new Sample(System.currentTimeMillis(), Long.parseLong(released.group(1)), state.find() ? state.group(1) : "?",
                    json.contains("FENCED"));
        } catch (IOException e) {
            return null;
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The first sample at or after {@code fromMillis} that shows the counter grown since the one before (epoch ms); -1 if none. */
    long firstGrowthAfter(long fromMillis) {
        List<Sample> s = samples();
        for (int i = 1; i < s.size(); i++) {
            if (s.get(i).epochMillis() >= fromMillis && s.get(i).released() > s.get(i - 1).released()) {
                return s.get(i).epochMillis();
            }
        }
        return -1;
    }

    /** The released counter's growth from the first sample at or after {@code fromMillis} to the last sample; 0 with none. */
    long growthFrom(long fromMillis) {
        List<Sample> s = samples();
        for (Sample x : s) {
            if (x.epochMillis() >= fromMillis) {
                return s.get(s.size() - 1).released() - x.released();
            }
        }
        return 0;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(1000);
    }
}
