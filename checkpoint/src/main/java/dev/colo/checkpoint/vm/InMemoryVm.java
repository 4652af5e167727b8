package dev.colo.checkpoint.vm;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A real, in-process VM for tests and benchmarks: a byte-array "RAM" of 4 KiB pages with its own
 * dirty tracking. Its "guest" is whoever calls {@link #write}: writes block while the VM is paused,
 * exactly as a paused vCPU makes no progress.
 *
 * <p>State stream: records of {@code [u32 page index][4096 bytes]}, big-endian.
 *
 * <p>As a secondary it keeps a cache of the last applied checkpoint; applying a delta updates the
 * cache and then copies into RAM every page the delta touched and every page this VM wrote itself
 * since the last checkpoint, so RAM ends equal to the primary's at its capture.
 */
public final class InMemoryVm implements ReplicatedVm {
    public static final int PAGE_SIZE = 4096;
    public static final int RECORD_SIZE = 4 + PAGE_SIZE;

    private final String name;
    private final byte[] ram;
    private final int pages;
    private final long[] dirty;
    private final long[] lastCapture;
    private byte[] cache;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition running = lock.newCondition();
    private boolean paused;
    private int writersInside;

    public InMemoryVm(String name, int pages) {
        if (pages < 1) {
            throw new IllegalArgumentException("pages must be >= 1");
        }
        this.name = name;
        this.pages = pages;
        this.ram = new byte[Math.multiplyExact(pages, PAGE_SIZE)];
        this.dirty = new long[(pages + 63) / 64];
        this.lastCapture = new long[dirty.length];
    }

    @Override
    public String identity() {
        return "in-memory:" + name + ":" + pages + "x" + PAGE_SIZE;
    }

    public int pages() {
        return pages;
    }

    /** The guest writes: blocks while paused. */
    public void write(long address, byte[] src, int off, int len) throws InterruptedException {
        enter();
        try {
            System.arraycopy(src, off, ram, Math.toIntExact(address), len);
            int first = (int) (address / PAGE_SIZE);
            int last = (int) ((address + len - 1) / PAGE_SIZE);
            for (int p = first; p <= last; p++) {
                markDirty(p);
            }
        } finally {
            leave();
        }
    }

    /** A copy of RAM (taken under the lock, so consistent). */
    public byte[] snapshot() {
        lock.lock();
        try {
            return ram.clone();
        } finally {
            lock.unlock();
        }
    }

    private void enter() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (paused) {
                running.await();
            }
            writersInside++;
        } finally {
            lock.unlock();
        }
    }

    private void leave() {
        lock.lock();
        try {
            writersInside--;
            running.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void markDirty(int page) {
        synchronized (dirty) {
            dirty[page >>> 6] |= 1L << page;
        }
    }

    @Override
    public void pause() {
        lock.lock();
        try {
            paused = true;
            while (writersInside > 0) {
                running.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            paused = false;
            running.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isPaused() {
        lock.lock();
        try {
            return paused;
        } finally {
            lock.unlock();
        }
    }

    /** Pages written since the last capture (or apply). */
    public int dirtyPages() {
        synchronized (dirty) {
            int n = 0;
            for (long w : dirty) {
                n += Long.bitCount(w);
            }
            return n;
        }
    }

    @Override
    public StateSource captureFull() {
        long[] all = new long[dirty.length];
        Arrays.fill(all, -1L);
        if (pages % 64 != 0) {
            all[all.length - 1] = (1L << (pages % 64)) - 1;
        }
        synchronized (dirty) {
            // Writes from now on mark pages dirty again: they travel in the next delta (pre-copy).
            Arrays.fill(dirty, 0);
            System.arraycopy(all, 0, lastCapture, 0, all.length);
        }
        return new PageSource(all);
    }

    @Override
    public StateSource captureDelta() {
        long[] set;
        synchronized (dirty) {
            set = dirty.clone();
            System.arraycopy(dirty, 0, lastCapture, 0, dirty.length);
            Arrays.fill(dirty, 0);
        }
        return new PageSource(set);
    }

    @Override
    public void captureAborted() {
        synchronized (dirty) {
            for (int i = 0; i < dirty.length; i++) {
                dirty[i] |= lastCapture[i];
            }
        }
    }

    @Override
    public StateStaging beginStaging(boolean full) {
        return new Staging(full);
    }

    /** Streams the pages of a set as records, reading RAM page by page. */
    private final class PageSource implements StateSource {
        private final long[] set;
        private final int count;
        private int page = -1;
        private boolean ended;
        private int inRecord = RECORD_SIZE;

        PageSource(long[] set) {
            this.set = set;
            int n = 0;
            for (long w : set) {
                n += Long.bitCount(w);
            }
            this.count = n;
        }

        @Override
        public long size() {
            return (long) count * RECORD_SIZE;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            return read(java.nio.ByteBuffer.wrap(dst, off, len));
        }

        /** Copies records straight from RAM into {@code dst}: no intermediate buffer. */
        @Override
        public int read(java.nio.ByteBuffer dst) {
            int done = 0;
            while (dst.hasRemaining()) {
                if (inRecord == RECORD_SIZE) {
                    int next = ended ? -1 : nextPage(page + 1);
                    if (next < 0) {
                        ended = true;
                        return done == 0 ? -1 : done;
                    }
                    page = next;
                    inRecord = 0;
                }
                int n;
                if (inRecord < 4) {
                    n = Math.min(dst.remaining(), 4 - inRecord);
                    for (int i = 0; i < n; i++) {
                        dst.put((byte) (page >>> (8 * (3 - (inRecord + i)))));
                    }
                } else {
                    n = Math.min(dst.remaining(), RECORD_SIZE - inRecord);
                    dst.put(ram, page * PAGE_SIZE + inRecord - 4, n);
                }
                inRecord += n;
                done += n;
            }
            return done;
        }

        private int nextPage(int from) {
            for (int w = from >>> 6; w < set.length && from < pages; w++) {
                long bits = set[w] & (w == from >>> 6 ? -1L << from : -1L);
                if (bits != 0) {
                    int p = (w << 6) + Long.numberOfTrailingZeros(bits);
                    return p < pages ? p : -1;
                }
            }
            return -1;
        }
    }

    /**
     * Room for the largest possible state, allocated once and reused: staging never copies twice. One
     * staging uses it at a time: {@link #stagingLock} makes the next one wait for the last apply.
     */
    private byte[] stagingBuffer;
    private final Object stagingLock = new Object();

    private byte[] stagingBuffer() {
        if (stagingBuffer == null) {
            stagingBuffer = new byte[Math.multiplyExact(pages, RECORD_SIZE)];
        }
        return stagingBuffer;
    }

    /** Staged records, held apart from RAM until applied. */
    private final class Staging implements StateStaging {
        private final boolean full;
        private final byte[] bytes = stagingBuffer();
        private int size;
        private boolean verified;

        Staging(boolean full) {
            this.full = full;
        }

        @Override
        public void accept(byte[] src, int off, int len) throws IOException {
            synchronized (stagingLock) {
                room(len);
                System.arraycopy(src, off, bytes, size, len);
                size += len;
            }
        }

        @Override
        public void accept(java.nio.ByteBuffer src) throws IOException {
            synchronized (stagingLock) {
                int len = src.remaining();
                room(len);
                src.get(bytes, size, len);
                size += len;
            }
        }

        private void room(int len) throws IOException {
            if (size + (long) len > bytes.length) {
                throw new IOException("state stream larger than this VM's " + pages + " pages");
            }
            verified = false;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void verify() throws IOException {
            synchronized (stagingLock) {
                if (size % RECORD_SIZE != 0) {
                    throw new IOException("state stream of " + size + " bytes is not a whole number of "
                            + RECORD_SIZE + "-byte page records");
                }
                for (int at = 0; at < size; at += RECORD_SIZE) {
                    int page = pageAt(at);
                    if (page < 0 || page >= pages) {
                        throw new IOException("page " + page + " at stream offset " + at + " is outside this VM's " + pages + " pages");
                    }
                }
                if (full && size != (long) pages * RECORD_SIZE) {
                    throw new IOException("full state holds " + size / RECORD_SIZE + " pages, expected " + pages);
                }
                verified = true;
            }
        }

        private int pageAt(int at) {
            return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | (bytes[at + 3] & 0xff);
        }

        @Override
        public void apply() throws IOException {
            synchronized (stagingLock) {
                if (!verified) {
                    verify();
                }
                lock.lock();
                try {
                    if (cache == null || full) {
                        cache = new byte[ram.length];
                    }
                    long[] touched;
                    synchronized (dirty) {
                        touched = dirty.clone(); // pages this VM wrote itself since the last checkpoint
                        Arrays.fill(dirty, 0);
                    }
                    for (int at = 0; at < size; at += RECORD_SIZE) {
                        int page = pageAt(at);
                        System.arraycopy(bytes, at + 4, cache, page * PAGE_SIZE, PAGE_SIZE);
                        touched[page >>> 6] |= 1L << page;
                    }
                    for (int w = 0; w < touched.length; w++) {
                        for (long bits = touched[w]; bits != 0; bits &= bits - 1) {
                            int page = (w << 6) + Long.numberOfTrailingZeros(bits);
                            System.arraycopy(cache, page * PAGE_SIZE, ram, page * PAGE_SIZE, PAGE_SIZE);
                        }
                    }
                } finally {
                    lock.unlock();
                }
                size = 0;
            }
        }

        @Override
        public void discard() {
            synchronized (stagingLock) {
                size = 0;
            }
        }
    }
}
