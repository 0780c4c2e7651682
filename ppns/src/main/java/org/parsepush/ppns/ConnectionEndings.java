package org.parsepush.ppns;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the pipeline, closing connections that are over:
 * <ul>
 * <li>silent for the idle timeout: a device that lost its network never says goodbye, and its
 * socket would otherwise hold memory (and its installation's slot) until TCP gives up,
 * which can take hours;</li>
 * <li>failed: network failures are the devices' daily life and stay at debug; anything else
 * is a bug and warns.</li>
 * </ul>
 */
@Sharable
final class ConnectionEndings extends ChannelInboundHandlerAdapter {

    static final ConnectionEndings INSTANCE = new ConnectionEndings();
    private static final Logger log = LoggerFactory.getLogger(ConnectionEndings.class);

    private ConnectionEndings() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            PpnsConnection.close(ctx.channel(), DisconnectReason.IDLE);
        } else {
            ctx.fireUserEventTriggered(event);
        }
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
