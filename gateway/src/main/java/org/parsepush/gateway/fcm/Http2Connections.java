package org.parsepush.gateway.fcm;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few long-lived HTTP/2 connections to one origin, opened on first use and again when
 * lost or told to go away. Requests are spread over them round-robin; on each, streams
 * beyond the server's concurrency limit wait in Netty's buffering encoder rather than fail.
 */
final class Http2Connections implements AutoCloseable {

    /** Netty's default: a pass that flushes this often still writes out as it goes. */
    private static final int FLUSHES_PER_WRITE = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

    private final String host;
    private final int port;
    private final SslContext tls;
    private final Duration connectTimeout;
    private final Bootstrap bootstrap;
    private final Future<Channel>[] connections;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    /** {@code tls} null means HTTP/2 over cleartext with prior knowledge. */
    @SuppressWarnings("unchecked")
    Http2Connections(EventLoopGroup loop, String host, int port, SslContext tls, int size, Duration connectTimeout) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.connectTimeout = connectTimeout;
        this.connections = new Future[size];
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis());
    }

    /** Sends one request on the next usable connection; its answer, or why there is none, goes to {@code reader}. */
    void send(Http2Headers headers, ByteBuf body, ResponseReader reader) {
        Future<Channel> connection;
        try {
            connection = connection(Math.floorMod(next.getAndIncrement(), connections.length));
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
        connection.addListener(ready -> {
            Http2Streams streams = ready.isSuccess() ? connection.getNow().pipeline().get(Http2Streams.class) : null;
            if (streams != null) {
                streams.send(headers, body, reader);
            } else {
                body.release();
                reader.fail(ready.cause() instanceof IOException io ? io
                        : new IOException("the connection to FCM closed before the request was sent", ready.cause()));
            }
        });
    }

    private synchronized Future<Channel> connection(int slot) {
        if (closed) {
            throw new IllegalStateException("the FCM transport is closed");
        }
        Future<Channel> current = connections[slot];
        if (current == null || current.isDone() && !usable(current)) {
            current = connect();
            connections[slot] = current;
        }
        return current;
    }

    private static boolean usable(Future<Channel> connection) {
        if (!connection.isSuccess() || !connection.getNow().isActive()) {
            return false;
        }
        Http2FrameCodec codec = connection.getNow().pipeline().get(Http2FrameCodec.class);
        return codec != null && !codec.connection().goAwayReceived();
    }

    private Future<Channel> connect() {
        Promise<Channel> ready = bootstrap.config().group().next().newPromise();
        ChannelFuture connecting = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                if (tls == null) {
                    addHttp2(channel.pipeline(), ready);
                } else {
                    SslHandler handler = tls.newHandler(channel.alloc(), host, port);
                    handler.setHandshakeTimeoutMillis(connectTimeout.toMillis());
                    handler.handshakeFuture().addListener(handshake -> {
                        if (!handshake.isSuccess()) {
                            ready.tryFailure(new IOException("TLS handshake with the FCM endpoint failed: "
                                    + handshake.cause().getMessage(), handshake.cause()));
                        }
                    });
                    channel.pipeline().addLast(handler, new Alpn(ready));
                }
            }
        }).connect(host, port);
        connecting.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                ready.tryFailure(new IOException("cannot connect to FCM at " + host + ":" + port + ": "
                        + done.cause().getMessage(), done.cause()));
            } else {
                done.channel().closeFuture().addListener(closed -> ready.tryFailure(
                        new IOException("the connection to FCM at " + host + ":" + port + " closed while opening")));
            }
        });
        return ready;
    }

    /** HTTP/2 on the pipeline; the connection is ready once the server's settings (its stream limit) are known. */
    private static void addHttp2(ChannelPipeline pipeline, Promise<Channel> ready) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                .encoderEnforceMaxConcurrentStreams(true)
                .build();
        // Every message is written and flushed on its own; consolidated, the flushes of one
        // event-loop pass leave as one TLS write instead of a record and a system call each.
        pipeline.addLast(new FlushConsolidationHandler(FLUSHES_PER_WRITE, true), codec, new Http2Streams(ready));
    }

    /** After the TLS handshake: HTTP/2 if the server chose it, else a clear failure. */
    private static final class Alpn extends ApplicationProtocolNegotiationHandler {
        private final Promise<Channel> ready;

        private static final String NOTHING = "";

        Alpn(Promise<Channel> ready) {
            super(NOTHING);
            this.ready = ready;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                addHttp2(ctx.pipeline(), ready);
            } else {
                ready.tryFailure(new IOException("the FCM endpoint did not agree to HTTP/2 (ALPN chose "
                        + (NOTHING.equals(protocol) ? "nothing" : protocol) + ")"));
                ctx.close();
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Future<Channel> connection : connections) {
            if (connection != null && connection.isSuccess()) {
                connection.getNow().close();
            }
        }
    }
}
