package org.parsepush.ppns;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the pipeline, closing connections that failed: network failures are the
 * devices' daily life and stay at debug; anything else is a bug and warns. (Silent
 * connections are closed by the {@link IdleSweeper}.)
 */
@Sharable
final class ConnectionEndings extends ChannelInboundHandlerAdapter {

    static final ConnectionEndings INSTANCE = new ConnectionEndings();
    private static final Logger log = LoggerFactory.getLogger(ConnectionEndings.class);

    private ConnectionEndings() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            log.debug("closing {}: line too long", ctx.channel());
            PpnsConnection.close(ctx.channel(), DisconnectReason.LINE_TOO_LONG);
        } else if (isNetworkFailure(cause)) {
            log.debug("closing {}: {}", ctx.channel(), cause.toString());
            PpnsConnection.close(ctx.channel(), DisconnectReason.DEVICE);
        } else {
            log.warn("closing {} after an unexpected failure", ctx.channel(), cause);
            PpnsConnection.close(ctx.channel(), DisconnectReason.ERROR);
        }
    }

    static boolean isNetworkFailure(Throwable cause) {
        return cause instanceof IOException
                || cause instanceof DecoderException && cause.getCause() instanceof SSLException;
    }
}
