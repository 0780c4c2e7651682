package org.parsepush.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lightweight FCM HTTP v1 endpoint (and OAuth token endpoint) for benchmarks: answers
 * every message at once, counts them, and notes when each push id first arrived.
 */
final class LocalFcm implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] TOKEN = ("{\"access_token\":\"bench\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] ACCEPTED = "{\"name\":\"projects/bench/messages/1\"}".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(32);
    private final AtomicLong messages = new AtomicLong();
    private final Map<String, Long> firstArrivalNanos = new ConcurrentHashMap<>();

    LocalFcm() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/token", exchange -> {
            exchange.getRequestBody().readAllBytes();
            respond(exchange, TOKEN);
        });
        server.createContext("/v1/projects/", this::send);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    long messages() {
        return messages.get();
    }

    /** When a push id first reached this endpoint, in {@link System#nanoTime()} terms, or null. */
    Long arrivalNanos(String pushId) {
        return firstArrivalNanos.get(pushId);
    }

    Path writeServiceAccount(Path dir, String projectId) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(generator.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        var account = JSON.createObjectNode().put("type", "service_account").put("project_id", projectId)
                .put("private_key_id", "bench").put("private_key", pem)
                .put("client_email", "bench@" + projectId + ".iam.gserviceaccount.com").put("client_id", "1")
                .put("token_uri", endpoint() + "/token");
        Path file = dir.resolve(projectId + ".json");
        Files.writeString(file, account.toString());
        return file;
    }

    private void send(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        messages.incrementAndGet();
        String pushId = body.at("/message/data/push_id").asText(null);
        if (pushId != null) {
            firstArrivalNanos.putIfAbsent(pushId, now);
        }
        respond(exchange, ACCEPTED);
    }

    private static void respond(HttpExchange exchange, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
