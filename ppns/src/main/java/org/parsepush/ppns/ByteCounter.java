package org.parsepush.ppns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts the bytes crossing the socket, first in the pipeline so that TLS is included. */
@Sharable
final class ByteCounter extends ChannelDuplexHandler {

    private final PpnsMetrics metrics;

    ByteCounter(PpnsMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            metrics.bytesIn(bytes.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf bytes) {
            metrics.bytesOut(bytes.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
