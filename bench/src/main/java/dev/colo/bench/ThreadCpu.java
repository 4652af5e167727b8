package dev.colo.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time per thread over an interval, for telling which pipeline stage is the bottleneck. A daemon
 * thread polls {@link ThreadMXBean} every {@value #POLL_MILLIS} ms (threads that end between two polls
 * lose at most that much); threads alive at the start count from their time then.
 */
final class ThreadCpu {
    static final long POLL_MILLIS = 20;

    /** One thread's CPU time in the interval. */
    record Usage(String name, long cpuNanos, long userNanos) {
    }

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final Map<Long, long[]> baseline = new HashMap<>();
    private final Map<Long, long[]> latest = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final Thread poller;
    private volatile boolean running = true;
    private final boolean supported;

    private ThreadCpu() {
        supported = mx.isThreadCpuTimeSupported();
        if (supported && !mx.isThreadCpuTimeEnabled()) {
            mx.setThreadCpuTimeEnabled(true);
        }
        if (supported) {
            for (long id : mx.getAllThreadIds()) {
                long cpu = mx.getThreadCpuTime(id);
                if (cpu >= 0) {
                    baseline.put(id, new long[] {cpu, mx.getThreadUserTime(id)});
                }
            }
        }
        poller = new Thread(this::loop, "colo-bench-cpu-poller");
        poller.setDaemon(true);
    }

    static ThreadCpu start() {
        ThreadCpu t = new ThreadCpu();
        if (t.supported) {
            t.poller.start();
        }
        return t;
    }

    private void loop() {
        while (running) {
            poll();
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void poll() {
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long id = info.getThreadId();
            long cpu = mx.getThreadCpuTime(id);
            long user = mx.getThreadUserTime(id);
            if (cpu >= 0) {
                latest.put(id, new long[] {cpu, user});
                names.putIfAbsent(id, info.getThreadName());
            }
        }
    }

    void stop() {
        if (!supported) {
            return;
        }
        poll();
        running = false;
        poller.interrupt();
        try {
            poller.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Threads that used at least a millisecond, the busiest first. */
    synchronized List<Usage> usage() {
        List<Usage> out = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : latest.entrySet()) {
            long[] base = baseline.getOrDefault(e.getKey(), new long[2]);
            long cpu = e.getValue()[0] - base[0];
            long user = e.getValue()[1] - base[1];
            if (cpu >= 1_000_000) {
                out.add(new Usage(names.get(e.getKey()), cpu, user));
            }
        }
        out.sort(Comparator.comparingLong(Usage::cpuNanos).reversed());
        return out;
    }
}
