package org.parsepush.gateway.admin;

import com.sun.net.httpserver.HttpExchange;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.parsepush.gateway.config.Listener;
import org.parsepush.gateway.http.HttpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP port: Prometheus {@code /metrics}, liveness {@code /healthz} and
 * readiness {@code /readyz}. Readiness asks the database, so a replica without MongoDB
 * takes no traffic.
 */
public final class AdminServer {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Listener listener;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private HttpListener server;

    public AdminServer(Listener listener, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        this.listener = listener;
        this.registry = registry;
        this.ready = ready;
    }

    /** Binds and starts serving. */
    public void start() throws IOException {
        server = HttpListener.bind(listener, "admin.port", 2, "admin-http")
                .route("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape()))
                .route("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"))
                .route("/readyz", exchange -> {
                    boolean isReady = ready.getAsBoolean();
                    respond(exchange, isReady ? 200 : 503, "text/plain", isReady ? "ready\n" : "not ready\n");
                });
        server.start();
        log.info("admin HTTP (metrics, health) listening on {}:{}", listener.host(), port());
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    /** Stops at once; probes and scrapes have nothing to finish. */
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        HttpListener.respond(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }
}
