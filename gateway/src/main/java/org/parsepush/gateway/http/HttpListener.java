package org.parsepush.gateway.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.parsepush.gateway.config.Listener;
import org.parsepush.gateway.config.PortInUseException;

/**
 * One of the gateway's small HTTP listeners (admin, Parse REST), on the JDK's HTTP server
 * with a bounded pool of daemon threads. A taken port names its configuration key.
 */
public final class HttpListener {

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpListener(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code listener}; {@code portKey} is the configuration key named when the port is taken. */
    public static HttpListener bind(Listener listener, String portKey, int threads, String threadName)
            throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(listener.host(), listener.port()), 128);
        } catch (BindException e) {
            throw new PortInUseException(portKey, listener.host(), listener.port());
        }
        ExecutorService executor = Executors.newFixedThreadPool(threads, new DefaultThreadFactory(threadName, true));
        server.setExecutor(executor);
        return new HttpListener(server, executor);
    }

    /** Serves every path under {@code prefix} with {@code handler}. */
    public HttpListener route(String prefix, HttpHandler handler) {
        server.createContext(prefix, handler);
        return this;
    }

    public void start() {
        server.start();
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops at once: nothing served here has work to finish. */
    public void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Answers and closes the exchange; a HEAD request gets the headers only. */
    public static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
