package dev.colo.pcap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Two capture files read as one stream in timestamp order (ties go to the first): how a replay sees
 * a primary's and a secondary's output as they happened. A fault in one file ends that file only; the
 * message is kept in {@link #errors()} and the other file is read to its end.
 */
public final class TimestampMerge {
    private final PacketFileReader[] readers;
    private final boolean[] has = new boolean[2];
    private final List<String> errors = new ArrayList<>();
    private static final int NOT_STARTED = -2;
    private static final int ENDED = -1;
    private int current = NOT_STARTED;

    public TimestampMerge(PacketFileReader first, PacketFileReader second) {
        this.readers = new PacketFileReader[] {first, second};
    }

    /**
     * Moves to the next frame of the merged stream; the previous frame's bytes are then gone.
     *
     * @return 0 or 1: which reader holds the current frame; -1 when both are exhausted
     */
    public int next() {
        if (current >= 0) {
            has[current] = advance(current);
        } else if (current == NOT_STARTED) {
            has[0] = advance(0);
            has[1] = advance(1);
        }
        if (!has[0] && !has[1]) {
            current = ENDED;
            return -1;
        }
        current = has[0] && (!has[1] || readers[0].timestampNanos() <= readers[1].timestampNanos()) ? 0 : 1;
        return current;
    }

    public PacketFileReader reader(int which) {
        return readers[which];
    }

    /** Faults met so far, each naming its file and offset. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    private boolean advance(int which) {
        try {
            return readers[which].next();
        } catch (IOException e) {
            errors.add(e.getMessage());
            return false;
        }
    }
}
