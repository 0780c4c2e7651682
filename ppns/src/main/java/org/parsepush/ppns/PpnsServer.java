package org.parsepush.ppns;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PPNS endpoint: devices connect, send a handshake, and keep the connection open for
 * pushes. Knows nothing of apps or installations: the gateway admits devices through
 * {@link DeviceAdmission}, learns who is online through {@link ConnectionListener}, and
 * sends lines through the {@link PpnsConnection}s in {@link #connections()}.
 */
public final class PpnsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PpnsServer.class);
    /** Accepted connections the kernel may queue while the event loops are busy: a storm's first wave. */
    private static final int ACCEPT_BACKLOG = 4096;

    private final PpnsSettings settings;
    private final DeviceAdmission admission;
    private final PpnsMetrics metrics;
    private final ConnectionRegistry registry;
    private final HandshakeLimit limit;
    private final Transport transport;
    private EventLoopGroup group;
    private ChannelGroup channels;
    private Channel serverChannel;
    private SslContext tls;
    private DeviceChannelInitializer initializer;
    private ScheduledFuture<?> idleSweeps;
    private final java.util.List<SslContext> retiredTls = new java.util.ArrayList<>();

    /**
     * @param admission decides which devices may connect
     * @param listener  hears of every connect and disconnect; {@link ConnectionListener#NONE} if not needed
     */
    public PpnsServer(PpnsSettings settings, DeviceAdmission admission, ConnectionListener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.admission = Objects.requireNonNull(admission, "admission");
        this.metrics = new PpnsMetrics(settings.meterRegistry());
        this.registry = new ConnectionRegistry(Objects.requireNonNull(listener, "listener"), metrics);
        this.limit = new HandshakeLimit(settings.maxPendingHandshakes());
        this.transport = Transport.choose(settings.nativeTransport());
    }

    /**
     * Loads the certificate and binds.
     *
     * @throws BindException if the port is in use
     * @throws IOException   if the certificate or key cannot be loaded, or binding fails otherwise
     */
    public synchronized void start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        tls = settings.tls() == null ? null : settings.tls().serverContext(settings.openSsl());
        group = transport.newGroup();
        channels = new DefaultChannelGroup("ppns-devices", GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, PpnsConnection.OUTBOUND_LIMIT)
                .childHandler(initializer = new DeviceChannelInitializer(settings, tls, admission, registry, limit,
                        metrics, channels));
        ChannelFuture bound = bootstrap.bind(settings.host(), settings.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownGroup();
            releaseTls();
            throw bindFailure(bound.cause());
        }
        serverChannel = bound.channel();
        idleSweeps = new IdleSweeper(registry, settings.idleTimeout()).start(group.next());
        metrics.bindGauges(registry, limit);
        log.info("PPNS listening on {}:{} ({}, {})", settings.host(), port(),
                tls == null ? "plain TCP" : PpnsTls.describe(tls), transport.name().toLowerCase(Locale.ROOT));
    }

    private IOException bindFailure(Throwable cause) {
        String where = settings.host() + ":" + settings.port();
        if (cause instanceof BindException) {
            BindException exception = new BindException("PPNS cannot bind " + where + ": " + cause.getMessage());
            exception.initCause(cause);
            return exception;
        }
        return new IOException("PPNS cannot bind " + where, cause);
    }

    /**
     * Loads the certificate and key files again and serves new connections with them;
     * connections already open keep theirs. On failure the certificate in use stays.
     *
     * @throws IOException if the files cannot be loaded
     */
    public synchronized void reloadTls() throws IOException {
        if (group == null || tls == null) {
            throw new IllegalStateException("not serving TLS");
        }
        SslContext next = settings.tls().serverContext(settings.openSsl());
        initializer.useTls(next);
        // A connection being set up may still be taking the old context: it is freed with the
        // server, not now (certificates are rotated a few times a year).
        retiredTls.add(tls);
        tls = next;
        log.info("PPNS serves a reloaded certificate to new connections ({})", PpnsTls.describe(next));
    }

    /** The bound port, e.g. when the settings asked for port 0. */
    public int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("not started");
        }
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The connected devices, to send them lines. */
    public ConnectionRegistry connections() {
        return registry;
    }

    /** Whether the native epoll transport is in use rather than NIO, for logs and diagnostics. */
    public boolean usesNativeTransport() {
        return transport == Transport.EPOLL;
    }

    /**
     * Stops accepting, closes every device connection (each device's listener hears of it)
     * and frees the port. Devices reconnect to whichever server answers next.
     */
    public synchronized void stop() {
        if (group == null) {
            return;
        }
        serverChannel.close().awaitUninterruptibly();
        idleSweeps.cancel(false);
        registry.forEach(connection -> connection.close(DisconnectReason.SERVER_STOP));
        channels.close().awaitUninterruptibly();
        metrics.unbindGauges();
        shutDownGroup();
        releaseTls();
        serverChannel = null;
        log.info("PPNS stopped");
    }

    private void shutDownGroup() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        group = null;
    }

    /** Frees OpenSSL's native context; the connections' engines were freed as they closed. */
    private void releaseTls() {
        ReferenceCountUtil.release(tls);
        retiredTls.forEach(ReferenceCountUtil::release);
        retiredTls.clear();
        tls = null;
    }

    /** Whether TLS is served by OpenSSL rather than the JDK, for diagnostics and tests. */
    public boolean usesOpenSsl() {
        return tls != null && !(tls instanceof JdkSslContext);
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }
}
