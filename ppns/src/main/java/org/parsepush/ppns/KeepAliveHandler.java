package org.parsepush.ppns;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an admitted device may say: {@code {}}, answered by {@code {}} at once (Android
 * reconnects when the answer takes more than a few seconds). Other JSON objects are
 * ignored, for clients newer than this server; a line that is not JSON closes the
 * connection, since the two sides no longer agree on the protocol.
 */
@Sharable
final class KeepAliveHandler extends SimpleChannelInboundHandler<String> {

    private static final Logger log = LoggerFactory.getLogger(KeepAliveHandler.class);
    private static final byte[] KEEP_ALIVE = "{}\n".getBytes(StandardCharsets.US_ASCII);

    private final PpnsMetrics metrics;

    KeepAliveHandler(PpnsMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
        PpnsConnection.heard(ctx.channel());
        String json = line.strip();
        if (json.equals("{}")) {
            answer(ctx);
        } else if (!json.isEmpty()) {
            other(ctx, json);
        }
    }

    private void other(ChannelHandlerContext ctx, String json) {
        JsonNode message;
        try {
            message = PpnsJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            log.debug("closing {}: a line is not JSON", ctx.channel());
            PpnsConnection.close(ctx.channel(), DisconnectReason.MALFORMED);
            return;
        }
        if (message.isObject() && message.isEmpty()) {
            answer(ctx);
        } else {
            log.debug("ignoring a message from {}", ctx.channel());
        }
    }

    private void answer(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            // A device that pings but does not read: answers would only pile up here.
            return;
        }
        ByteBuf reply = ctx.alloc().buffer(KEEP_ALIVE.length).writeBytes(KEEP_ALIVE);
        ctx.writeAndFlush(reply).addListener((ChannelFutureListener) future -> {
            if (future.isSuccess()) {
                metrics.pingAnswered();
            }
        });
    }
}
