package org.parsepush.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.parsepush.gateway.admin.AdminServer;
import org.parsepush.gateway.admin.PrometheusMetrics;
import org.parsepush.gateway.api.ApiKeyRing;
import org.parsepush.gateway.api.AppAuthenticator;
import org.parsepush.gateway.api.AppKeys;
import org.parsepush.gateway.app.ParseApps;
import org.parsepush.gateway.job.PushEngine;
import org.parsepush.gateway.ppns.PpnsEndpoint;
import org.parsepush.gateway.rest.ParseRestApi;
import org.parsepush.gateway.api.GrpcServer;
import org.parsepush.gateway.api.PushApi;
import org.parsepush.gateway.api.PushWatches;
import org.parsepush.gateway.config.AppConfig;
import org.parsepush.gateway.config.ConfigException;
import org.parsepush.gateway.config.GatewayConfig;
import org.parsepush.gateway.credentials.CredentialMonitor;
import org.parsepush.gateway.store.MongoConnection;
import org.parsepush.gateway.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: database connection, gRPC API and admin port, started in that order
 * and stopped in reverse. {@link GatewayMain} runs one per process; tests run it in-process.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Clock clock;
    private final Deque<AutoCloseable> stopOrder = new ArrayDeque<>();
    private MongoConnection mongo;
    private GrpcServer grpc;
    private AdminServer admin;
    private ParseRestApi rest;
    private PpnsEndpoint ppnsEndpoint;
    private volatile boolean draining;
    private volatile boolean started;
    private Instant drainDeadline = Instant.now();

    private Gateway(GatewayConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Starts every part on the system clock. */
    public static Gateway start(GatewayConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    /** Starts every part; if one fails, the parts already started are stopped again. */
    public static Gateway start(GatewayConfig config, Clock clock) throws IOException {
        Gateway gateway = new Gateway(config, clock);
        try {
            gateway.startParts();
        } catch (IOException | RuntimeException e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private void startParts() throws IOException {
        PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
        stopOrder.push(registry::close);

        // TLS and key files first: a wrong key password should stop the start before anything binds.
        // Certificates are judged by the wall clock, as APNs and TLS peers judge them, never by the
        // scheduling clock (which tests move days ahead).
        CredentialMonitor credentials = new CredentialMonitor(config.credentialReload(), registry, Clock.systemUTC(),
                config.credentialExpiryWarningDays());
        ServerTls grpcTls = grpcTls(credentials);
        Map<String, ApiKeyRing> apiKeys = apiKeyRings(credentials);

        mongo = MongoConnection.open(config.mongo(), config.dataDir(), registry);
        stopOrder.push(mongo);

        // Up first and down last: probes see "not ready" (503) through the whole drain.
        admin = new AdminServer(config.admin(), registry, this::isReady);
        admin.start();
        stopOrder.push(admin::stop);

        EventLoopGroup providerLoops = newProviderLoops();
        stopOrder.push(() -> providerLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
        String replicaId = PushEngine.replicaId(config.jobs().replicaId());
        PpnsEndpoint ppns = config.ppns().enabled()
                ? new PpnsEndpoint(config.ppns(), replicaId, clock, registry) : null;
        ParseApps apps = new ParseApps(config, mongo, providerLoops, ppns, registry, credentials);
        stopOrder.push(apps);
        PushEngine engine = new PushEngine(config, apps, replicaId, clock, registry);
        engine.start();
        stopOrder.push(() -> engine.shutdown(untilDrainDeadline()));

        AppKeys keys = new AppKeys(config.apps(), apiKeys);
        ScheduledExecutorService watchPolls = Executors.newScheduledThreadPool(1,
                new DefaultThreadFactory("watch-push", true));
        stopOrder.push(watchPolls::shutdownNow);
        PushWatches watches = new PushWatches(watchPolls, Duration.ofMillis(250));

        grpc = new GrpcServer(config.grpc(), grpcTls, config.maxRequestBytes(), new PushApi(apps, engine, watches),
                new AppAuthenticator(keys), registry);
        grpc.start();
        stopOrder.push(() -> grpc.shutdown(untilDrainDeadline()));

        if (ppns != null) {
            ppns.start();
            ppnsEndpoint = ppns;
            watchPpnsCertificate(credentials, ppns);
            // Devices leave a few at a time, so they do not all reconnect to the other replicas at once.
            stopOrder.push(() -> ppns.drain(untilDrainDeadline().dividedBy(2)));
        }

        if (config.rest().enabled()) {
            rest = new ParseRestApi(config.rest(), keys, apps, engine);
            rest.start();
            stopOrder.push(rest::stop);
        }

        for (AppConfig app : config.apps()) {
            log.info("serving app '{}': database '{}', {} APNs and {} FCM credentials", app.appId(),
                    app.database(), app.apns().size(), app.fcm().size());
        }
        // Last to start, first to stop: nothing is reloaded into parts that are shutting down.
        credentials.start();
        stopOrder.push(credentials);
        started = true;
        log.info("gateway started");
    }

    /**
     * The gRPC API's TLS identity, or null for plain text; unreadable files stop the start
     * like bad configuration. Watched for renewals, and its expiry tracked.
     */
    private ServerTls grpcTls(CredentialMonitor credentials) {
        if (!config.grpc().tls().enabled()) {
            return null;
        }
        ServerTls tls;
        try {
            tls = ServerTls.load(config.grpc().tls(), credentials.clock());
        } catch (IOException e) {
            throw new ConfigException("grpc.tls: " + e.getMessage());
        }
        credentials.watch("the gRPC API's TLS certificate", tls.files(), tls::reload);
        credentials.trackExpiry("", "grpc", "server", "the gRPC API's TLS certificate", tls::certificate);
        if (tls.mutual()) {
            credentials.trackExpiry("", "grpc", "client_ca", "the gRPC API's client CA (grpc.tls.clientCa)",
                    tls::firstExpiringClientCa);
        }
        return tls;
    }

    /** The PPNS certificate is reloaded when its files change, and its expiry is tracked. */
    private void watchPpnsCertificate(CredentialMonitor credentials, PpnsEndpoint ppns) {
        if (ppns.servedCertificate() == null) {
            return;
        }
        credentials.watch("the PPNS endpoint's TLS certificate",
                List.of(config.ppns().certificateChainFile(), config.ppns().privateKeyFile()), ppns::reloadCertificate);
        credentials.trackExpiry("", "ppns", "server", "the PPNS endpoint's TLS certificate", ppns::servedCertificate);
    }

    /** Each app's API keys, read now (an invalid file stops the start) and watched for changes. */
    private Map<String, ApiKeyRing> apiKeyRings(CredentialMonitor credentials) {
        Map<String, ApiKeyRing> rings = new HashMap<>();
        for (int i = 0; i < config.apps().size(); i++) {
            AppConfig app = config.apps().get(i);
            if (app.apiKeysFile() == null) {
                continue;
            }
            ApiKeyRing ring;
            try {
                ring = ApiKeyRing.load(app.apiKeysFile());
            } catch (IOException e) {
                throw new ConfigException("apps[" + i + "].apiKeysFile: " + e.getMessage());
            }
            log.info("app '{}': API keys {}", app.appId(), ring.ids());
            credentials.watch("the API keys of app '" + app.appId() + "'", List.of(app.apiKeysFile()), () -> {
                ring.reload();
                log.info("app '{}': API keys now {}", app.appId(), ring.ids());
            });
            rings.put(app.appId(), ring);
        }
        return rings;
    }

    /** What is left of the shutdown grace period: one deadline for every part that drains. */
    private Duration untilDrainDeadline() {
        Duration left = Duration.between(Instant.now(), drainDeadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** One event loop group for every provider client (Pushy), sized to the machine. */
    @SuppressWarnings("deprecation") // Pushy 0.15 picks its channel class from the group's type
    private static EventLoopGroup newProviderLoops() {
        return new NioEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("provider-io", true));
    }

    /** Ready to take traffic: not shutting down, and the database answers. */
    public boolean isReady() {
        return started && !draining && mongo != null && mongo.ping();
    }

    /** The bound gRPC port. */
    public int grpcPort() {
        return grpc.port();
    }

    /** The bound port of Parse's REST push API. */
    public int restPort() {
        return rest.port();
    }

    /** The bound PPNS port. */
    public int ppnsPort() {
        return ppnsEndpoint.port();
    }

    /** The bound admin HTTP port. */
    public int adminPort() {
        return admin.port();
    }

    /** The database connection. */
    public MongoConnection mongo() {
        return mongo;
    }

    /**
     * Stops gracefully: readiness turns false, the gRPC server stops taking calls and lets
     * those in flight finish within the grace period, then everything else closes.
     */
    @Override
    public synchronized void close() {
        if (draining && stopOrder.isEmpty()) {
            return;
        }
        draining = true;
        drainDeadline = Instant.now().plusSeconds(config.shutdownGraceSeconds());
        log.info("gateway stopping");
        while (!stopOrder.isEmpty()) {
            try {
                stopOrder.pop().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("error while stopping: {}", e.toString());
            }
        }
        log.info("gateway stopped");
    }
}
