package org.parsepush.gateway.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real Parse Server (9.10.0, from parse-adapter's node_modules) with the gateway's push
 * adapter, started by the adapter's fixture script as a process of its own.
 */
final class ParseServerProcess implements AutoCloseable {

    static final Path ADAPTER = Path.of("..", "parse-adapter").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final String appId;
    private final String masterKey;

    private ParseServerProcess(Process process, int port, String appId, String masterKey) {
        this.process = process;
        this.port = port;
        this.appId = appId;
        this.masterKey = masterKey;
    }

    static ParseServerProcess start(Map<String, String> env, String appId, String masterKey) throws Exception {
        if (!Files.isDirectory(ADAPTER.resolve("node_modules").resolve("parse-server"))) {
            throw new IllegalStateException("parse-server is not installed: run `npm ci --prefix parse-adapter` first"
                    + " (the README's test command does)");
        }
        ProcessBuilder builder = new ProcessBuilder("node", "test/fixtures/parse-server.js").directory(ADAPTER.toFile());
        builder.environment().putAll(env);
        builder.environment().put("PARSE_APP_ID", appId);
        builder.environment().put("PARSE_MASTER_KEY", masterKey);
        builder.environment().put("PARSE_PORT", "0");
        Process process = builder.start();
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        StringBuilder stderr = new StringBuilder();
        Thread out = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.startsWith("parse-server listening on ")) {
                        ready.complete(Integer.parseInt(line.substring("parse-server listening on ".length()).trim()));
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("Parse Server exited: " + stderr));
        }, "parse-server-out");
        Thread err = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream()))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    synchronized (stderr) {
                        if (stderr.length() < 20_000) {
                            stderr.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException ignored) {
                // The process is gone.
            }
        }, "parse-server-err");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
        int port = ready.get(90, TimeUnit.SECONDS);
        ParseServerProcess server = new ParseServerProcess(process, port, appId, masterKey);
        return server;
    }

    /** A REST call with the app id and master key; the answer's status and JSON body. */
    HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, Map.of("X-Parse-Application-Id", appId, "X-Parse-Master-Key", masterKey));
    }

    HttpResponse<String> call(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/parse" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode create(String className, String json) throws Exception {
        HttpResponse<String> response = call("POST", "/" + className, json);
        if (response.statusCode() != 201) {
            throw new AssertionError("creating " + className + " failed: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** objectIds of {@code _Installation} matching a where query, through Parse's REST API. */
    java.util.Set<String> installationIds(String where) throws Exception {
        HttpResponse<String> response = call("GET", "/classes/_Installation?limit=1000&where="
                + URLEncoder.encode(where, StandardCharsets.UTF_8), null);
        if (response.statusCode() != 200) {
            throw new AssertionError("query " + where + " failed: " + response.statusCode() + " " + response.body());
        }
        java.util.Set<String> ids = new java.util.TreeSet<>();
        JSON.readTree(response.body()).path("results").forEach(object -> ids.add(object.path("objectId").asText()));
        return ids;
    }

    @Override
    public void close() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
