package dev.colo.proxy.link;

import io.netty.handler.codec.CorruptedFrameException;

/** The peer sent something that is not a frame stream in QEMU's format; the message says what. */
final class LinkProtocolException extends CorruptedFrameException {
    private static final long serialVersionUID = 1L;

    LinkProtocolException(String message) {
        super(message);
    }
}
