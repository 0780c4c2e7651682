package org.parsepush.ppns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Splits the device's bytes into lines ({@code \n} or {@code \r\n}, stripped) and hands each
 * on as UTF-8 text, replacing malformed bytes. One handler instead of a framer and a
 * decoder: every handler is a context object per connection, times every device.
 */
final class TextLines extends LineBasedFrameDecoder {

    /** @param maxLineBytes a longer line fails at once with {@code TooLongFrameException} */
    TextLines(int maxLineBytes) {
        super(maxLineBytes, true, true);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
        ByteBuf line = (ByteBuf) super.decode(ctx, buffer);
        if (line == null) {
            return null;
        }
        try {
            return line.toString(StandardCharsets.UTF_8);
        } finally {
            line.release();
        }
    }
}
