package org.parsepush.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lightweight FCM HTTP v1 endpoint for benchmarks, reached as FCM is: HTTP/2 over TLS with
 * ALPN (Pushy's test certificate for {@code localhost}). It answers every message at once on
 * its event loop, counts them, and notes when each push id first arrived. The OAuth token
 * endpoint, asked once an hour, is a plain JDK HTTP server.
 */
final class LocalFcm implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] TOKEN = ("{\"access_token\":\"bench\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] ACCEPTED = "{\"name\":\"projects/bench/messages/1\"}".getBytes(StandardCharsets.UTF_8);
    private static final String PUSH_ID_FIELD = "\"push_id\":\"";

    private final HttpServer tokenServer;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicLong messages = new AtomicLong();
    private final Map<String, Long> firstArrivalNanos = new ConcurrentHashMap<>();

    LocalFcm(InputStream certificateChain, InputStream privateKey) throws Exception {
        tokenServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        tokenServer.createContext("/token", exchange -> {
            exchange.getRequestBody().readAllBytes();
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, TOKEN.length);
                out.write(TOKEN);
            }
        });
        tokenServer.start();
        SslContext tls = SslContextBuilder.forServer(certificateChain, privateKey)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(tls.newHandler(channel.alloc()), Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new Send());
                                    }
                                }));
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    /** The base URL for the gateway's {@code fcm.endpoint}; its certificate is for {@code localhost}. */
    String endpoint() {
        return "https://localhost:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    long messages() {
        return messages.get();
    }

    /** When a push id first reached this endpoint, in {@link System#nanoTime()} terms, or null. */
    Long arrivalNanos(String pushId) {
        return firstArrivalNanos.get(pushId);
    }

    Path writeServiceAccount(Path dir, String projectId) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(generator.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        var account = JSON.createObjectNode().put("type", "service_account").put("project_id", projectId)
                .put("private_key_id", "bench").put("private_key", pem)
                .put("client_email", "bench@" + projectId + ".iam.gserviceaccount.com").put("client_id", "1")
                .put("token_uri", "http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token");
        Path file = dir.resolve(projectId + ".json");
        Files.writeString(file, account.toString());
        return file;
    }

    /** One message: read to its end, note its push id, answer 200. */
    private final class Send extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final StringBuilder body = new StringBuilder(512);

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            boolean end = false;
            if (frame instanceof Http2HeadersFrame headers) {
                end = headers.isEndStream();
            } else if (frame instanceof Http2DataFrame data) {
                ByteBuf content = data.content();
                body.append(content.toString(StandardCharsets.UTF_8));
                end = data.isEndStream();
            }
            if (end) {
                long now = System.nanoTime();
                messages.incrementAndGet();
                String pushId = pushId(body);
                if (pushId != null) {
                    firstArrivalNanos.putIfAbsent(pushId, now);
                }
                Http2Headers answer = new DefaultHttp2Headers().status("200").set("content-type", "application/json");
                ctx.write(new DefaultHttp2HeadersFrame(answer, false));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(ACCEPTED), true));
            }
        }
    }

    /** The push id in a message's data, found without parsing the whole JSON (it is a plain id). */
    private static String pushId(CharSequence body) {
        String text = body.toString();
        int start = text.indexOf(PUSH_ID_FIELD);
        if (start < 0) {
            return null;
        }
        start += PUSH_ID_FIELD.length();
        int end = text.indexOf('"', start);
        return end < 0 ? null : text.substring(start, end);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        tokenServer.stop(0);
    }
}
