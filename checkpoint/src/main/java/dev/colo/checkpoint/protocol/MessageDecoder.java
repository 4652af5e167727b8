package dev.colo.checkpoint.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads length-prefixed frames into messages. A length over the maximum, an unknown type, a truncated
 * or over-long body: a {@link ProtocolException} with what was wrong. Framing is lost after it: every byte
 * then and after is discarded, so nothing behind a bad message is delivered while the handler closes the link
 * (nor when the channel's end decodes what is left).
 */
public final class MessageDecoder extends ByteToMessageDecoder {
    private final int maxFrame;
    private boolean failed;

    public MessageDecoder(int maxFrame) {
        this.maxFrame = maxFrame;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws ProtocolException {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeFrame(in, out);
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeFrame(ByteBuf in, List<Object> out) throws ProtocolException {
        if (in.readableBytes() < Wire.LENGTH_FIELD) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < 1 || length > maxFrame) {
            throw new ProtocolException("frame of " + length + " bytes (maximum " + maxFrame + ")");
        }
        if (in.readableBytes() < Wire.LENGTH_FIELD + length) {
            return;
        }
        in.skipBytes(Wire.LENGTH_FIELD);
        ByteBuf frame = in.readSlice((int) length);
        MessageType type = MessageType.of(frame.readUnsignedByte());
        try {
            Message m = body(type, frame);
            if (frame.isReadable()) {
                throw new ProtocolException(type + " message has " + frame.readableBytes() + " bytes too many");
            }
            out.add(m);
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException("truncated " + type + " message");
        }
    }

    private static Message body(MessageType type, ByteBuf f) throws ProtocolException {
        switch (type) {
            case HELLO:
                return new Message.Hello(f.readInt(), f.readUnsignedShort(), Role.of(f.readUnsignedByte()),
                        string(f), string(f), string(f));
            case REFUSED:
                return new Message.Refused(string(f));
            case CHECKPOINT_READY:
                return new Message.CheckpointReady(f.readLong());
            case NEW:
                return new Message.New(f.readLong(), Trigger.of(f.readUnsignedByte()), string(f));
            case SUSPENDED:
                return new Message.Suspended(f.readLong());
            case SEND:
                return new Message.Send(f.readLong(), f.readBoolean());
            case STATE_CHUNK:
                long id = f.readLong();
                return new Message.StateChunk(id, f.readRetainedSlice(f.readableBytes()));
            case STATE_END:
                return new Message.StateEnd(f.readLong(), f.readLong(), f.readInt());
            case RECEIVED:
                return new Message.Received(f.readLong());
            case LOADED:
                return new Message.Loaded(f.readLong());
            case ABORT:
                return new Message.Abort(f.readLong(), string(f));
            default:
                return new Message.Heartbeat(f.readLong());
        }
    }

    private static String string(ByteBuf f) throws ProtocolException {
        int n = f.readUnsignedShort();
        if (n > Wire.MAX_STRING) {
            throw new ProtocolException("string of " + n + " bytes (maximum " + Wire.MAX_STRING + ")");
        }
        return f.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }
}
