package dev.colo.compare.pipeline;

import com.lmax.disruptor.EventHandler;
import dev.colo.compare.packet.FrameDecoder;

/** Stage 2: decodes each frame's headers into the event, off the comparator's thread. */
final class ParseHandler implements EventHandler<FrameEvent> {
    private final FrameDecoder decoder = new FrameDecoder();

    @Override
    public void onEvent(FrameEvent event, long sequence, boolean endOfBatch) {
        if (event.type == FrameEvent.FRAME) {
            decoder.decode(event.linkType, event.data, 0, event.length, event.info);
        }
    }
}
