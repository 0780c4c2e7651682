package org.parsepush.gateway.fcm;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * A small HTTP/2 server for tests, over cleartext (prior knowledge) or TLS with ALPN, as FCM
 * speaks it. Each whole request is handed to a blocking {@link Handler} on an executor, so a
 * handler may hold a request as long as a test wants while others are answered.
 */
final class LocalHttp2Server implements AutoCloseable {

    /** One request as received. */
    record Request(String method, String path, Http2Headers headers, byte[] body) {
        String header(String name) {
            CharSequence value = headers.get(name);
            return value == null ? null : value.toString();
        }
    }

    /** The answer to write back. */
    record Answer(int status, Map<String, String> headers, String body) {

        /** No answer: the stream is reset with REFUSED_STREAM instead. */
        static final Answer RESET = new Answer(0, Map.of(), "");
    }

    interface Handler {
        Answer handle(Request request) throws Exception;
    }

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    private LocalHttp2Server(Handler handler, ExecutorService executor, SslContext tls, long maxConcurrentStreams,
                             int port) throws InterruptedException {
        server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        if (tls != null) {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc()));
                        }
                        channel.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                                        .initialSettings(Http2Settings.defaultSettings()
                                                .maxConcurrentStreams(maxConcurrentStreams)).build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new Exchange(handler, executor));
                                    }
                                }));
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
    }

    /** Cleartext HTTP/2 with prior knowledge. */
    static LocalHttp2Server cleartext(Handler handler, ExecutorService executor) throws InterruptedException {
        return cleartext(handler, executor, 1000);
    }

    /** Cleartext HTTP/2 that lets a client have at most {@code maxConcurrentStreams} requests open at once. */
    static LocalHttp2Server cleartext(Handler handler, ExecutorService executor, long maxConcurrentStreams)
            throws InterruptedException {
        return new LocalHttp2Server(handler, executor, null, maxConcurrentStreams, 0);
    }

    /** Cleartext HTTP/2 on a given port (a server coming back where an earlier one was). */
    static LocalHttp2Server cleartextOn(int port, Handler handler, ExecutorService executor) throws InterruptedException {
        return new LocalHttp2Server(handler, executor, null, 1000, port);
    }

    /** HTTP/2 over TLS, offered by ALPN, with this certificate chain and key (PEM). */
    static LocalHttp2Server tls(Handler handler, ExecutorService executor, Path chain, Path key, String... alpn)
            throws Exception {
        SslContext tls = SslContextBuilder.forServer(chain.toFile(), key.toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        alpn.length == 0 ? new String[] {ApplicationProtocolNames.HTTP_2} : alpn))
                .build();
        return new LocalHttp2Server(handler, executor, tls, 1000, 0);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Collects one stream's request, runs the handler off the event loop, writes its answer. */
    private static final class Exchange extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final Handler handler;
        private final ExecutorService executor;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Http2Headers headers;

        Exchange(Handler handler, ExecutorService executor) {
            this.handler = handler;
            this.executor = executor;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            boolean end = false;
            if (frame instanceof Http2HeadersFrame headersFrame) {
                headers = headersFrame.headers();
                end = headersFrame.isEndStream();
            } else if (frame instanceof Http2DataFrame data) {
                ByteBuf content = data.content();
                byte[] bytes = new byte[content.readableBytes()];
                content.readBytes(bytes);
                body.writeBytes(bytes);
                end = data.isEndStream();
            }
            if (end) {
                Request request = new Request(headers.method().toString(), headers.path().toString(), headers,
                        body.toByteArray());
                executor.execute(() -> answer(ctx, request));
            }
        }

        private void answer(ChannelHandlerContext ctx, Request request) {
            Answer answer;
            try {
                answer = handler.handle(request);
            } catch (Exception e) {
                answer = new Answer(500, Map.of(), e.toString());
            }
            if (answer == Answer.RESET) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                return;
            }
            Http2Headers response = new DefaultHttp2Headers().status(Integer.toString(answer.status()));
            answer.headers().forEach((name, value) -> response.set(name.toLowerCase(), value));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            ctx.write(new DefaultHttp2HeadersFrame(response, false));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), true));
        }
    }
}
