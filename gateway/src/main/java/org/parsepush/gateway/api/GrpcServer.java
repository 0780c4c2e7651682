package org.parsepush.gateway.api;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.parsepush.gateway.config.GrpcSettings;
import org.parsepush.gateway.config.Listener;
import org.parsepush.gateway.config.PortInUseException;
import org.parsepush.gateway.tls.ServerTls;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC listener: the push API behind {@link AppAuthenticator}, plus the standard
 * health service and server reflection (both unauthenticated, so probes and
 * {@code grpcurl} work out of the box). With {@link ServerTls} it speaks TLS only, and
 * with client CAs it admits only clients with a certificate they issued (mutual TLS),
 * health and reflection included.
 */
public final class GrpcServer {

    private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);

    private final Listener listener;
    private final String security;
    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;

    /** Builds the server, in plain text when {@code tls} is null; {@link #start()} binds it. */
    public GrpcServer(GrpcSettings settings, ServerTls tls, int maxRequestBytes, BindableService api,
                      AppAuthenticator authenticator, MeterRegistry registry) throws SSLException {
        this.listener = settings.listener();
        this.security = tls == null ? "plain text" : tls.mutual() ? "TLS, client certificates required" : "TLS";
        NettyServerBuilder builder = NettyServerBuilder
                .forAddress(new InetSocketAddress(listener.host(), listener.port()));
        if (tls != null) {
            builder.sslContext(GrpcSslContexts.configure(tls.contextBuilder()).build());
        }
        this.server = builder
                .maxInboundMessageSize(maxRequestBytes)
                .intercept(new MetricCollectingServerInterceptor(registry))
                .addService(ServerInterceptors.intercept(api, authenticator))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build();
    }

    /** Binds and reports SERVING. */
    public void start() throws IOException {
        try {
            server.start();
        } catch (IOException e) {
            if (e.getCause() instanceof BindException || e instanceof BindException) {
                throw new PortInUseException("grpc.port", listener.host(), listener.port());
            }
            throw e;
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(PushServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        log.info("gRPC API listening on {}:{} ({})", listener.host(), port(), security);
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /**
     * Reports NOT_SERVING, stops taking calls, and waits up to {@code grace} for calls in
     * flight; what is left after that is cancelled.
     */
    public void shutdown(Duration grace) throws InterruptedException {
        health.enterTerminalState();
        server.shutdown();
        if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("calls still running after the {} s grace period; cancelling them", grace.toSeconds());
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
