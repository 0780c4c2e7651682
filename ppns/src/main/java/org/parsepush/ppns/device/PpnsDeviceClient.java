package org.parsepush.ppns.device;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The device side of PPNS, written the way the Linux embedded SDK behaves on the wire: for
 * the simulator, the load tester and tests. Lines received are handed to a consumer on the
 * connection's event loop; the {@code time} of the newest one is kept for the next
 * handshake's {@code last}.
 */
public final class PpnsDeviceClient implements AutoCloseable {

    /** Far above what a server should send, so that a test sees an over-long line arrive whole. */
    public static final int MAX_LINE_BYTES = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Channel channel;
    private final LineReader reader;

    private PpnsDeviceClient(Channel channel, LineReader reader) {
        this.channel = channel;
        this.reader = reader;
    }

    /** Event loops for device clients: NIO, with daemon threads so that they never hold a JVM open. */
    public static EventLoopGroup newEventLoopGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("ppns-device", true),
                NioIoHandler.newFactory());
    }

    /**
     * Opens a connection (and completes the TLS handshake) without saying anything yet.
     *
     * @param group a group from {@link #newEventLoopGroup}
     * @param lines receives every line from the server, without its line end
     */
    public static CompletableFuture<PpnsDeviceClient> connect(EventLoopGroup group, DeviceEndpoint endpoint,
                                                              Consumer<String> lines) {
        return connect(group, endpoint, null, lines);
    }

    /**
     * Like {@link #connect(EventLoopGroup, DeviceEndpoint, Consumer)}, from a chosen source
     * address: each address has its own range of ephemeral ports, so spreading connections
     * over several (see {@link SourceAddresses}) opens more than one address's range allows.
     *
     * @param source the local address to bind, with a port the system picks; null to let the system choose
     */
    public static CompletableFuture<PpnsDeviceClient> connect(EventLoopGroup group, DeviceEndpoint endpoint,
                                                              InetAddress source, Consumer<String> lines) {
        CompletableFuture<PpnsDeviceClient> connected = new CompletableFuture<>();
        LineReader reader = new LineReader(lines);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (endpoint.tls() != null) {
                            channel.pipeline().addLast("tls", sslHandler(channel, endpoint));
                        }
                        channel.pipeline().addLast("lines", new LineBasedFrameDecoder(MAX_LINE_BYTES, true, true));
                        channel.pipeline().addLast("text", new StringDecoder(StandardCharsets.UTF_8));
                        channel.pipeline().addLast("reader", reader);
                    }
                });
        ChannelFuture connecting = source == null ? bootstrap.connect(endpoint.host(), endpoint.port())
                : bootstrap.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), new InetSocketAddress(source, 0));
        connecting.addListener((ChannelFuture tcp) -> {
            if (!tcp.isSuccess()) {
                connected.completeExceptionally(tcp.cause());
                return;
            }
            PpnsDeviceClient client = new PpnsDeviceClient(tcp.channel(), reader);
            SslHandler tls = tcp.channel().pipeline().get(SslHandler.class);
            if (tls == null) {
                connected.complete(client);
                return;
            }
            tls.handshakeFuture().addListener((Future<Channel> handshake) -> {
                if (handshake.isSuccess()) {
                    connected.complete(client);
                } else {
                    tcp.channel().close();
                    connected.completeExceptionally(handshake.cause());
                }
            });
        });
        return connected;
    }

    private static SslHandler sslHandler(Channel channel, DeviceEndpoint endpoint) {
        SslHandler handler = endpoint.tls().context().newHandler(channel.alloc(), endpoint.host(), endpoint.port());
        if (endpoint.tls().verifyHostname()) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        return handler;
    }

    /**
     * The handshake exactly as the Linux SDK writes it, spaces included:
     * {@code {"installation_id":"...", "oauth_key":"...", "v":"e1.0.0", "last":null}}.
     *
     * @param last the {@code time} of the newest push seen, or null
     */
    public static String handshakeLine(String installationId, String applicationId, String last) {
        return "{\"installation_id\":" + quote(installationId)
                + ", \"oauth_key\":" + quote(applicationId)
                + ", \"v\":\"e1.0.0\""
                + ", \"last\":" + (last == null ? "null" : quote(last)) + "}";
    }

    private static String quote(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    /** Sends the handshake, then {@code {}} in a separate write, as the Linux SDK does. */
    public CompletableFuture<Void> handshake(String installationId, String applicationId, String last) {
        CompletableFuture<Void> handshake = sendLine(handshakeLine(installationId, applicationId, last));
        return handshake.thenCombine(ping(), (first, second) -> null);
    }

    /** Sends a keep-alive; the server answers {@code {}}. */
    public CompletableFuture<Void> ping() {
        return sendLine("{}");
    }

    /** Sends {@code line} and its {@code \n} in one write. */
    public CompletableFuture<Void> sendLine(String line) {
        return sendRaw(line + "\n");
    }

    /** Sends exactly {@code text}, line ends and all: for tests of framing and malformed input. */
    public CompletableFuture<Void> sendRaw(String text) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        channel.writeAndFlush(ByteBufUtil.writeUtf8(channel.alloc(), text)).addListener((ChannelFuture write) -> {
            if (write.isSuccess()) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(write.cause());
            }
        });
        return sent;
    }

    /** Sends exactly these bytes, whatever they are: for tests of garbage and partial lines. */
    public CompletableFuture<Void> sendRaw(byte[] bytes) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        channel.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(bytes)).addListener((ChannelFuture write) -> {
            if (write.isSuccess()) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(write.cause());
            }
        });
        return sent;
    }

    /** The {@code time} of the newest line that had one, as the device would send it back as {@code last}. */
    public String lastPushTime() {
        return reader.lastPushTime;
    }

    /** The ALPN protocol the server selected; null when none was, as PPNS requires. */
    public String applicationProtocol() {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        return tls == null ? null : tls.applicationProtocol();
    }

    /** The local end of the connection, e.g. to see which source address it was given. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Whether the server has not closed the connection (yet). */
    public boolean isOpen() {
        return channel.isActive();
    }

    /** Completes when the connection is closed, by either side. */
    public CompletableFuture<Void> closed() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        channel.closeFuture().addListener(future -> closed.complete(null));
        return closed;
    }

    /** Disconnects, like a device that stops its push service. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }

    private static final class LineReader extends SimpleChannelInboundHandler<String> {

        private final Consumer<String> lines;
        private volatile String lastPushTime;

        LineReader(Consumer<String> lines) {
            this.lines = lines;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            rememberTime(line);
            lines.accept(line);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        /** Like the embedded SDKs: the top-level {@code time} of any line received. */
        private void rememberTime(String line) {
            try {
                JsonNode time = JSON.readTree(line).get("time");
                if (time != null && time.isTextual()) {
                    lastPushTime = time.textValue();
                }
            } catch (JsonProcessingException e) {
                // Not JSON: nothing to remember; the consumer still sees the line.
            }
        }
    }
}
