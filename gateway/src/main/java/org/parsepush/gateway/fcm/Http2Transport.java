package org.parsepush.gateway.fcm;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The Admin SDK's HTTP for FCM's HTTP v1 API: HTTP/2 on a few long-lived connections, many
 * messages multiplexed on each (TLS with ALPN for {@code https}, prior knowledge for
 * {@code http}). The SDK's stock transports hold one request per connection (the JDK's keeps
 * only five idle, so most messages open a new one), which made FCM delivery connection-bound.
 * Requests meant for {@code https://fcm.googleapis.com} go to the configured endpoint; the
 * SDK's other hosts are not needed for sending and are refused.
 */
final class Http2Transport extends HttpTransport implements AutoCloseable {

    /** Where the Admin SDK sends messages; {@code fcm.endpoint} replaces it (a proxy, a test). */
    static final String PUBLIC_BASE = "https://fcm.googleapis.com";

    private final String scheme;
    private final String authority;
    private final EventLoopGroup loop;
    private final Http2Connections connections;

    Http2Transport(String endpoint, int connections, Path trustedCaFile, Duration connectTimeout) throws SSLException {
        URI base = URI.create(endpoint);
        boolean tls = "https".equals(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        this.scheme = base.getScheme();
        this.authority = base.getPort() > 0 ? base.getHost() + ":" + port : base.getHost();
        this.loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fcm-http2", true),
                NioIoHandler.newFactory());
        this.connections = new Http2Connections(loop, base.getHost(), port,
                tls ? tlsContext(trustedCaFile) : null, connections, connectTimeout);
    }

    private static SslContext tlsContext(Path trustedCaFile) throws SSLException {
        SslProvider provider = SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .endpointIdentificationAlgorithm("HTTPS")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2));
        if (trustedCaFile != null) {
            builder.trustManager(trustedCaFile.toFile());
        }
        return builder.build();
    }

    @Override
    public boolean supportsMethod(String method) {
        return true;
    }

    @Override
    protected LowLevelHttpRequest buildRequest(String method, String url) throws IOException {
        if (!url.startsWith(PUBLIC_BASE + "/")) {
            throw new IOException("the FCM transport only carries FCM's HTTP v1 API, not " + URI.create(url).getHost());
        }
        String path = url.substring(PUBLIC_BASE.length());
        return new Http2Request(connections, method, scheme, authority, path);
    }

    @Override
    public void shutdown() {
        close();
    }

    @Override
    public void close() {
        connections.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
