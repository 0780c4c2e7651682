package org.parsepush.ppns;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * Builds each device connection's pipeline: byte counting, TLS, lines as text, then the
 * handshake (replaced by the keep-alive handler on admission), and the endings (failed
 * connections; silent ones are the {@link IdleSweeper}'s). Each handler costs a context
 * object per connection, so jobs that need no state of their own share one.
 * A connection that finds no free handshake slot gets no pipeline: it is closed at once.
 */
final class DeviceChannelInitializer extends ChannelInitializer<Channel> {

    private final PpnsSettings settings;
    /** Replaced by a certificate reload; each new connection takes the one current then. */
    private volatile SslContext tls;
    private final DeviceAdmission admission;
    private final ConnectionRegistry registry;
    private final HandshakeLimit limit;
    private final AddressLimit addresses;
    private final PpnsMetrics metrics;
    private final ChannelGroup channels;
    private final ByteCounter byteCounter;
    private final KeepAliveHandler keepAlive;

    /** New connections use {@code next}; those open keep the context they started with. */
    void useTls(SslContext next) {
        tls = next;
    }

    DeviceChannelInitializer(PpnsSettings settings, SslContext tls, DeviceAdmission admission,
                             ConnectionRegistry registry, HandshakeLimit limit, PpnsMetrics metrics,
                             ChannelGroup channels) {
        this.settings = settings;
        this.tls = tls;
        this.admission = admission;
        this.registry = registry;
        this.limit = limit;
        this.addresses = new AddressLimit(settings.maxConnectionsPerAddress());
        this.metrics = metrics;
        this.channels = channels;
        this.byteCounter = new ByteCounter(metrics);
        this.keepAlive = new KeepAliveHandler(metrics);
    }

    @Override
    protected void initChannel(Channel channel) {
        InetAddress source = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        if (!addresses.tryOpen(source)) {
            metrics.handshake(HandshakeOutcome.ADDRESS_LIMIT);
            channel.close();
            return;
        }
        channel.closeFuture().addListener(closed -> addresses.closed(source));
        if (!limit.tryAcquire()) {
            metrics.handshake(HandshakeOutcome.OVER_CAPACITY);
            channel.close();
            return;
        }
        channels.add(channel);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("bytes", byteCounter);
        if (tls != null) {
            pipeline.addLast("tls", sslHandler(channel));
        }
        pipeline.addLast("lines", new TextLines(settings.maxLineBytes()));
        pipeline.addLast("handshake", new HandshakeHandler(admission, registry, keepAlive, limit, metrics,
                settings.handshakeTimeout()));
        pipeline.addLast("endings", ConnectionEndings.INSTANCE);
    }

    private SslHandler sslHandler(Channel channel) {
        SslHandler handler = tls.newHandler(channel.alloc());
        // The handshake timeout covers TLS and admission together, in HandshakeHandler.
        handler.setHandshakeTimeoutMillis(0);
        return handler;
    }
}
