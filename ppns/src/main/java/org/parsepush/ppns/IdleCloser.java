package org.parsepush.ppns;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Closes a connection the device has stopped using: a device that lost its network never
 * says goodbye, and its socket would otherwise hold memory (and its installation's slot)
 * until TCP gives up, which can take hours.
 */
@Sharable
final class IdleCloser extends ChannelInboundHandlerAdapter {

    static final IdleCloser INSTANCE = new IdleCloser();

    private IdleCloser() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            PpnsConnection.close(ctx.channel(), DisconnectReason.IDLE);
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }
}
