package org.parsepush.gateway.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.parsepush.gateway.config.Listener;
import org.parsepush.gateway.config.PortInUseException;
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
    private HttpServer server;
    private ExecutorService executor;

    public AdminServer(Listener listener, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        this.listener = listener;
        this.registry = registry;
        this.ready = ready;
    }

    /** Binds and starts serving. */
    public void start() throws IOException {
        try {
            server = HttpServer.create(new InetSocketAddress(listener.host(), listener.port()), 64);
        } catch (BindException e) {
            throw new PortInUseException("admin.port", listener.host(), listener.port());
        }
        executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "admin-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape()));
        server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", exchange -> {
            boolean isReady = ready.getAsBoolean();
            respond(exchange, isReady ? 200 : 503, "text/plain", isReady ? "ready\n" : "not ready\n");
        });
        server.start();
        log.info("admin HTTP (metrics, health) listening on {}:{}", listener.host(), port());
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops at once; probes and scrapes have nothing to finish. */
    public void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }
}
