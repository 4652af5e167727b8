package dev.colo.checkpoint.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes messages as length-prefixed frames; a state chunk's bytes go out without a copy. */
@ChannelHandler.Sharable
public final class MessageEncoder extends MessageToMessageEncoder<Message> {
    @Override
    protected void encode(ChannelHandlerContext ctx, Message m, List<Object> out) {
        ByteBuf h = ctx.alloc().buffer(64);
        h.writeInt(0); // length, set below
        h.writeByte(m.type().code);
        int bodyExtra = 0;
        switch (m.type()) {
            case HELLO -> {
                Message.Hello x = (Message.Hello) m;
                h.writeInt(x.magic()).writeShort(x.version()).writeByte(x.role().ordinal());
                string(h, x.nodeId());
                string(h, x.clusterId());
                string(h, x.vmIdentity());
            }
            case REFUSED -> string(h, ((Message.Refused) m).reason());
            case CHECKPOINT_READY -> h.writeLong(((Message.CheckpointReady) m).checkpointId());
            case NEW -> {
                Message.New x = (Message.New) m;
                h.writeLong(x.checkpointId()).writeByte(x.trigger().ordinal());
                string(h, x.reason());
            }
            case SUSPENDED -> h.writeLong(((Message.Suspended) m).checkpointId());
            case SEND -> h.writeLong(((Message.Send) m).checkpointId()).writeBoolean(((Message.Send) m).full());
            case STATE_CHUNK -> {
                Message.StateChunk x = (Message.StateChunk) m;
                h.writeLong(x.checkpointId());
                bodyExtra = x.data().readableBytes();
            }
            case STATE_END -> {
                Message.StateEnd x = (Message.StateEnd) m;
                h.writeLong(x.checkpointId()).writeLong(x.totalBytes()).writeInt(x.crc32c());
            }
            case RECEIVED -> h.writeLong(((Message.Received) m).checkpointId());
            case LOADED -> h.writeLong(((Message.Loaded) m).checkpointId());
            case ABORT -> {
                Message.Abort x = (Message.Abort) m;
                h.writeLong(x.checkpointId());
                string(h, x.reason());
            }
            case HEARTBEAT -> h.writeLong(((Message.Heartbeat) m).sequence());
        }
        h.setInt(0, h.readableBytes() - Wire.LENGTH_FIELD + bodyExtra);
        out.add(h);
        if (m instanceof Message.StateChunk chunk) {
            out.add(chunk.data()); // ownership passes to the channel
        }
    }

    private static void string(ByteBuf b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Wire.MAX_STRING) {
            bytes = java.util.Arrays.copyOf(bytes, Wire.MAX_STRING);
        }
        b.writeShort(bytes.length).writeBytes(bytes);
    }
}
