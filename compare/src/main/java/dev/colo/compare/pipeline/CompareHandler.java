package dev.colo.compare.pipeline;

import com.lmax.disruptor.EventHandler;
import dev.colo.compare.OutputComparator;

/** Stage 3: the comparator, alone on its thread. Polls for checkpoint commits at every batch end. */
final class CompareHandler implements EventHandler<FrameEvent> {
    private final OutputComparator comparator;
    private final Runnable onEnd;
    /** Null on the caller's thread (it asks the comparator itself). */
    private final Admission admission;

    CompareHandler(OutputComparator comparator, Runnable onEnd) {
        this(comparator, onEnd, null);
    }

    CompareHandler(OutputComparator comparator, Runnable onEnd, Admission admission) {
        this.comparator = comparator;
        this.onEnd = onEnd;
        this.admission = admission;
    }

    @Override
    public void onEvent(FrameEvent e, long sequence, boolean endOfBatch) {
        switch (e.type) {
            case FrameEvent.FRAME:
                comparator.onFrame(e.side, e.timestampNanos, e.data, 0, e.length, e.info);
                if (admission != null) {
                    admission.processed(e.side, comparator);
                }
                break;
            case FrameEvent.TICK:
                comparator.onTick(e.timestampNanos);
                break;
            case FrameEvent.UNPROTECT:
                comparator.onTick(e.timestampNanos);
                comparator.enterUnprotected();
                break;
            case FrameEvent.PROTECT:
                comparator.onTick(e.timestampNanos);
                comparator.resumeProtection();
                break;
            default:
                if (e.drain) {
                    comparator.onTick(e.timestampNanos);
                    comparator.drain();
                }
                onEnd.run();
                break;
        }
        if (endOfBatch) {
            comparator.pollCommit();
            if (admission != null) {
                admission.update(comparator); // a tick or a commit may have made room
            }
        }
    }
}
