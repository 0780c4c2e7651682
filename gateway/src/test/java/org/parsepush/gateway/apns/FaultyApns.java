package org.parsepush.gateway.apns;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An APNs stand-in that misbehaves on request: a small HTTP/2 server over TLS (the server
 * certificate of Pushy's test jar, so {@link MockApns#writeServerCa} is the CA to trust) that
 * speaks APNs' {@code POST /3/device/<token>} and answers 200, or, while a fault is set:
 * <ul>
 *   <li>an error status with APNs' JSON reason (500 InternalServerError, 503 ServiceUnavailable,
 *   429 TooManyRequests) for every request until {@link #clear()};</li>
 *   <li>drops the TCP connection abruptly (no GOAWAY, answers not yet flushed are lost) every
 *   N requests; the request that triggers the drop counts as delivered, its answer is lost,
 *   which is exactly the case that makes a client send twice;</li>
 *   <li>stalls streams: no answer until {@link #clear()}, when held streams are answered 200
 *   and count as delivered (APNs got them; only the answer was late);</li>
 *   <li>403 ExpiredProviderToken for every request signed with the first provider token it
 *   sees (p8 token authentication), as APNs does for a token older than an hour.</li>
 * </ul>
 * Pushy's {@code MockApnsServer} answers every request at once on its own, so it can neither
 * hold a stream nor cut a connection mid-stream; hence this server. It records every try and
 * every delivery per device token.
 */
public final class FaultyApns implements AutoCloseable {

    private static final String PATH_PREFIX = "/3/device/";

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("faulty-apns", true), NioIoHandler.newFactory());
    private final Channel server;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
    private final AtomicInteger totalTries = new AtomicInteger();
    private final Set<String> providerTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> expiredProviderTokens = ConcurrentHashMap.newKeySet();
    private final Queue<Held> held = new ConcurrentLinkedQueue<>();
    private final Set<String> stallFirstTry = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sinceDrop = new AtomicInteger();
    private final AtomicInteger dropsLeft = new AtomicInteger();
    private final AtomicInteger drops = new AtomicInteger();

    private volatile int failStatus;
    private volatile String failReason;
    private volatile boolean stallAll;
    private volatile int dropEvery;
    private volatile boolean expireFirstProviderToken;

    private record Held(ChannelHandlerContext ctx, Http2FrameStream stream, String token) {
    }

    private FaultyApns() throws Exception {
        SslContext tls;
        try (InputStream certs = resource("server-certs.pem"); InputStream key = resource("server-key.pem")) {
            tls = SslContextBuilder.forServer(certs, key)
                    // Certificate clients are let in without checking: the faults are the point here.
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2))
                    .build();
        }
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        connectionsOpened.incrementAndGet();
                        channel.closeFuture().addListener(closed -> connections.remove(channel));
                        channel.pipeline().addLast(tls.newHandler(channel.alloc()),
                                Http2FrameCodecBuilder.forServer()
                                        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(100_000))
                                        .build(),
                                new Streams());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    public static FaultyApns start() throws Exception {
        return new FaultyApns();
    }

    /** {@code host:port} for the gateway's {@code apns.productionServer}. */
    public String address() {
        return "localhost:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Answers every request with {@code status} and APNs' {@code reason} until {@link #clear()}. */
    public void failAll(int status, String reason) {
        failReason = reason;
        failStatus = status;
    }

    /** Cuts the connection that carries every {@code requests}-th request, {@code times} times. */
    public void dropConnectionEvery(int requests, int times) {
        sinceDrop.set(0);
        dropsLeft.set(times);
        dropEvery = requests;
    }

    /** Holds every stream without an answer until {@link #clear()}. */
    public void stallAll() {
        stallAll = true;
    }

    /** Holds the first try for each of these tokens without an answer until {@link #clear()}; later tries pass. */
    public void stallFirstTryOf(Set<String> tokens) {
        stallFirstTry.addAll(tokens);
    }

    /** Answers 403 ExpiredProviderToken to every request signed with the first provider token seen from now on. */
    public void expireFirstProviderToken() {
        expiredProviderTokens.clear();
        expireFirstProviderToken = true;
    }

    /** Ends every fault; held streams are answered 200 now, late. */
    public void clear() {
        failStatus = 0;
        stallAll = false;
        dropEvery = 0;
        stallFirstTry.clear();
        expireFirstProviderToken = false;
        expiredProviderTokens.clear();
        for (Held stream; (stream = held.poll()) != null; ) {
            Held late = stream;
            late.ctx().executor().execute(() -> {
                accept(late.ctx(), late.stream(), late.token());
                late.ctx().flush();
            });
        }
    }

    /** Forgets what was recorded (between tests sharing one server); held streams are never answered. */
    public void reset() {
        held.clear();
        clear();
        tries.clear();
        delivered.clear();
        totalTries.set(0);
        providerTokens.clear();
        drops.set(0);
        connectionsOpened.set(0);
    }

    /** Requests per device token, whatever the answer. */
    public Map<String, Integer> triesByToken() {
        return snapshot(tries);
    }

    /** Notifications APNs took for delivery, per device token: more than 1 is a duplicate on the device. */
    public Map<String, Integer> deliveredByToken() {
        return snapshot(delivered);
    }

    public int totalTries() {
        return totalTries.get();
    }

    /** Streams held without an answer right now. */
    public int heldStreams() {
        return held.size();
    }

    /** Connections cut by {@link #dropConnectionEvery}. */
    public int drops() {
        return drops.get();
    }

    /** Distinct provider tokens (authorization headers) seen. */
    public int providerTokensSeen() {
        return providerTokens.size();
    }

    /** Connections opened since the last {@link #reset()}. */
    public int connectionsOpened() {
        return connectionsOpened.get();
    }

    private static Map<String, Integer> snapshot(Map<String, AtomicInteger> counts) {
        Map<String, Integer> copy = new HashMap<>();
        counts.forEach((token, count) -> copy.put(token, count.get()));
        return copy;
    }

    private void handle(ChannelHandlerContext ctx, Http2FrameStream stream, Http2Headers headers) {
        String path = String.valueOf(headers.path());
        String token = path.startsWith(PATH_PREFIX) ? path.substring(PATH_PREFIX.length()) : path;
        totalTries.incrementAndGet();
        tries.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
        CharSequence authorization = headers.get("authorization");
        if (authorization != null) {
            String providerToken = authorization.toString();
            providerTokens.add(providerToken);
            if (expireFirstProviderToken && expiredProviderTokens.isEmpty()) {
                expiredProviderTokens.add(providerToken);
            }
            if (expiredProviderTokens.contains(providerToken)) {
                reject(ctx, stream, 403, "ExpiredProviderToken");
                return;
            }
        }
        if (failStatus != 0) {
            reject(ctx, stream, failStatus, failReason);
            return;
        }
        if (dropEvery > 0 && dropsLeft.get() > 0 && sinceDrop.incrementAndGet() >= dropEvery) {
            sinceDrop.set(0);
            dropsLeft.decrementAndGet();
            drops.incrementAndGet();
            // APNs took it, but the answer never leaves: the connection goes down first.
            delivered.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
            Channel channel = ctx.channel();
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.unsafe().close(channel.unsafe().voidPromise());
            return;
        }
        if (stallAll || stallFirstTry.remove(token)) {
            held.add(new Held(ctx, stream, token));
            return;
        }
        accept(ctx, stream, token);
    }

    private void accept(ChannelHandlerContext ctx, Http2FrameStream stream, String token) {
        delivered.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
        Http2Headers headers = new DefaultHttp2Headers().status("200").add("apns-id", UUID.randomUUID().toString());
        ctx.write(new DefaultHttp2HeadersFrame(headers, true).stream(stream));
    }

    private static void reject(ChannelHandlerContext ctx, Http2FrameStream stream, int status, String reason) {
        Http2Headers headers = new DefaultHttp2Headers().status(String.valueOf(status))
                .add("content-type", "application/json").add("apns-id", UUID.randomUUID().toString());
        ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream));
        ctx.write(new DefaultHttp2DataFrame(ByteBufUtil.writeUtf8(ctx.alloc(), "{\"reason\":\"" + reason + "\"}"), true)
                .stream(stream));
    }

    /** Requests on one connection: headers, then the payload that ends the stream. */
    private final class Streams extends ChannelDuplexHandler {
        private final Map<Integer, Http2Headers> pending = new HashMap<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame frame) {
                if (frame.isEndStream()) {
                    handle(ctx, frame.stream(), frame.headers());
                } else {
                    pending.put(frame.stream().id(), frame.headers());
                }
            } else if (msg instanceof Http2DataFrame data) {
                int consumed = data.initialFlowControlledBytes();
                boolean end = data.isEndStream();
                Http2FrameStream stream = data.stream();
                data.release();
                if (consumed > 0) {
                    ctx.write(new DefaultHttp2WindowUpdateFrame(consumed).stream(stream));
                }
                if (end) {
                    Http2Headers headers = pending.remove(stream.id());
                    if (headers != null) {
                        handle(ctx, stream, headers);
                    }
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static InputStream resource(String name) {
        InputStream in = FaultyApns.class.getResourceAsStream("/" + name);
        if (in == null) {
            throw new IllegalStateException(name + " is missing from Pushy's test jar");
        }
        return in;
    }

    @Override
    public void close() throws InterruptedException {
        held.clear();
        server.close().sync();
        for (Channel connection : connections) {
            connection.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
