package org.parsepush.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay between the gateway and the database that passes each of the database's
 * answers on only after a fixed delay: a database on another machine, a network round trip
 * away, where mongo-java-server on loopback answers at once. Order and throughput are kept;
 * only latency is added. Requests go through at once, so the delay is the round trip's.
 */
final class DatabaseDelay implements AutoCloseable {

    private final EventLoopGroup loop = new NioEventLoopGroup(1);
    private final Channel listener;

    private DatabaseDelay(InetSocketAddress database, long delayMillis) throws InterruptedException {
        listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel gateway) {
                        connect(gateway, database, delayMillis);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** Listens on a loopback port and relays to {@code database}, holding its answers {@code delayMillis}. */
    static DatabaseDelay start(InetSocketAddress database, long delayMillis) throws InterruptedException {
        return new DatabaseDelay(database, delayMillis);
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Opens the gateway connection's own database connection, then lets the gateway's bytes flow. */
    private static void connect(Channel gateway, InetSocketAddress database, long delayMillis) {
        new Bootstrap().group(gateway.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new Forward(gateway, delayMillis))
                .connect(database).addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        gateway.close();
                        return;
                    }
                    gateway.pipeline().addLast(new Forward(connected.channel(), 0));
                    gateway.config().setAutoRead(true);
                });
    }

    /**
     * Writes what one side reads to the other, {@code delayMillis} later. Both sides of a
     * relayed connection share one event loop, whose timer runs tasks of equal delay in the
     * order they were scheduled, so the bytes keep their order.
     */
    private static final class Forward extends ChannelInboundHandlerAdapter {

        private final Channel to;
        private final long delayMillis;

        Forward(Channel to, long delayMillis) {
            this.to = to;
            this.delayMillis = delayMillis;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object bytes) {
            later(ctx, () -> to.writeAndFlush(bytes));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            later(ctx, to::close);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private void later(ChannelHandlerContext ctx, Runnable action) {
            if (delayMillis == 0) {
                action.run();
            } else {
                ctx.executor().schedule(action, delayMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
