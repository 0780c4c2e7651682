package org.parsepush.gateway.fcm;

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
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.parsepush.gateway.TestPki;

/**
 * A local stand-in for FCM's HTTP v1 API and Google's OAuth token endpoint, reached by the
 * real Firebase Admin SDK: the gateway's {@code fcm.endpoint} points here, and so does the
 * {@code token_uri} of the service accounts it writes. Answers like FCM, errors included.
 */
public final class LocalFcm implements AutoCloseable {

    /** One message as FCM received it. */
    public record Received(String projectId, String token, JsonNode message, Instant at) {
    }

    static final String ACCESS_TOKEN = "local-fcm-access-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SEND_PATH = Pattern.compile("/v1/projects/([^/]+)/messages:send");
    private static final Pattern ASSERTION = Pattern.compile("assertion=([A-Za-z0-9_-]+)\\.");

    private final HttpServer tokenServer;
    private final LocalHttp2Server fcmServer;
    // Unbounded: stalled requests each hold a thread, and the others must still be answered.
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> accepted = new CopyOnWriteArrayList<>();
    private final List<Instant> throttledAt = new CopyOnWriteArrayList<>();
    private final List<String> tokenKeyIds = new CopyOnWriteArrayList<>();
    private final Set<String> unregistered = ConcurrentHashMap.newKeySet();
    private final Set<String> malformed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private volatile int retryAfterSeconds = 1;
    private final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    private final AtomicInteger totalTries = new AtomicInteger();
    private final Set<String> stallFirstTry = ConcurrentHashMap.newKeySet();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger generation = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(1);
    private volatile boolean stallAll;
    private volatile int failStatus;

    private final String endpoint;

    /** FCM over {@code tls} (a certificate chain and key), or over cleartext HTTP/2 when null. */
    private LocalFcm(TestPki.Issued tls) throws Exception {
        tokenServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        tokenServer.setExecutor(executor);
        tokenServer.createContext("/token", this::token);
        tokenServer.start();
        fcmServer = tls == null ? LocalHttp2Server.cleartext(this::send, executor)
                : LocalHttp2Server.tls(this::send, executor, tls.certificate(), tls.privateKey());
        endpoint = (tls == null ? "http://127.0.0.1:" : "https://localhost:") + fcmServer.port();
    }

    /** FCM over cleartext HTTP/2 (prior knowledge). */
    public static LocalFcm start() throws Exception {
        return new LocalFcm(null);
    }

    /** FCM over HTTP/2 on TLS with this server certificate, as the real one is reached. */
    public static LocalFcm startTls(TestPki.Issued certificate) throws Exception {
        return new LocalFcm(certificate);
    }

    /** The base URL for the gateway's {@code fcm.endpoint}. */
    public String endpoint() {
        return endpoint;
    }

    /** Writes a service-account file for {@code projectId} whose token endpoint is this server. */
    public Path writeServiceAccount(Path dir, String projectId) throws Exception {
        Path file = dir.resolve(projectId + "-service-account.json");
        Files.writeString(file, serviceAccount(projectId, "test-key-" + projectId));
        return file;
    }

    /**
     * The JSON of a service account for {@code projectId} with a new key whose id is
     * {@code keyId}; the id shows in {@link #tokenKeyIds()} once the account is used.
     */
    public String serviceAccount(String projectId, String keyId) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        var account = JSON.createObjectNode()
                .put("type", "service_account")
                .put("project_id", projectId)
                .put("private_key_id", keyId)
                .put("private_key", pem)
                .put("client_email", "push@" + projectId + ".iam.gserviceaccount.com")
                .put("client_id", "1")
                .put("token_uri", "http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token");
        return account.toString();
    }

    public void unregister(String token) {
        unregistered.add(token);
    }

    public void malformed(String token) {
        malformed.add(token);
    }

    /** Answers the next {@code count} sends with 429 QUOTA_EXCEEDED and {@code Retry-After}. */
    public void throttleNext(int count, int retryAfter) {
        retryAfterSeconds = retryAfter;
        throttleNext.set(count);
    }

    /**
     * Answers every send with {@code status} until {@link #clear()}: 500 INTERNAL, 503
     * UNAVAILABLE (the Admin SDK itself retries these up to 4 times) or 429 QUOTA_EXCEEDED
     * with {@code Retry-After: retryAfter}.
     */
    public void failAll(int status, int retryAfter) {
        retryAfterSeconds = retryAfter;
        failStatus = status;
    }

    /** Leaves every send without an answer until {@link #clear()}. */
    public void stallAll() {
        stallAll = true;
    }

    /** Leaves the first send to each of these tokens without an answer until {@link #clear()}. */
    public void stallFirstTryOf(Set<String> tokens) {
        stallFirstTry.addAll(tokens);
    }

    /** Ends every fault; stalled sends are answered now (late) and count as accepted. */
    public void clear() {
        failStatus = 0;
        stallAll = false;
        stallFirstTry.clear();
        CountDownLatch stalled = release;
        release = new CountDownLatch(1);
        stalled.countDown();
    }

    /** Forgets what was recorded; stalled sends are answered 503 and not recorded. */
    public void reset() {
        generation.incrementAndGet();
        clear();
        throttleNext.set(0);
        accepted.clear();
        tries.clear();
        totalTries.set(0);
    }

    /** Sends per token, whatever the answer (the Admin SDK's own retries included). */
    public Map<String, Integer> triesByToken() {
        Map<String, Integer> copy = new java.util.HashMap<>();
        tries.forEach((token, count) -> copy.put(token, count.get()));
        return copy;
    }

    public int totalTries() {
        return totalTries.get();
    }

    /** Sends held without an answer right now. */
    public int heldSends() {
        return held.get();
    }

    /** Messages accepted per token: more than 1 is a duplicate on the device. */
    public Map<String, Integer> acceptedByToken() {
        Map<String, Integer> counts = new java.util.HashMap<>();
        accepted.forEach(received -> counts.merge(received.token(), 1, Integer::sum));
        return counts;
    }

    public List<Received> accepted() {
        return accepted;
    }

    public List<Instant> throttledAt() {
        return throttledAt;
    }

    /** The key ids ({@code kid}) of the signed assertions OAuth tokens were asked with, in order. */
    public List<String> tokenKeyIds() {
        return tokenKeyIds;
    }

    private void token(HttpExchange exchange) throws IOException {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher assertion = ASSERTION.matcher(form);
        if (assertion.find()) {
            // A JWT's header is base64url JSON; the Admin SDK names its signing key there.
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(assertion.group(1)));
            tokenKeyIds.add(header.path("kid").asText());
        }
        respond(exchange, 200, Map.of(), "{\"access_token\":\"" + ACCESS_TOKEN
                + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
    }

    private LocalHttp2Server.Answer send(LocalHttp2Server.Request request) throws Exception {
        JsonNode body = JSON.readTree(request.body());
        Matcher path = SEND_PATH.matcher(request.path());
        if (!path.matches() || !"POST".equals(request.method())) {
            return answer(404, Map.of(), error(404, "NOT_FOUND", null, "no such method"));
        }
        if (!("Bearer " + ACCESS_TOKEN).equals(request.header("authorization"))) {
            return answer(401, Map.of(), error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "bad token"));
        }
        JsonNode message = body.path("message");
        String token = message.path("token").asText();
        totalTries.incrementAndGet();
        tries.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
        CountDownLatch stalled = release;
        int before = generation.get();
        if (stallAll || stallFirstTry.remove(token)) {
            held.incrementAndGet();
            try {
                stalled.await(60, TimeUnit.SECONDS);
            } finally {
                held.decrementAndGet();
            }
            if (generation.get() != before) {
                return answer(503, Map.of(), error(503, "UNAVAILABLE", "UNAVAILABLE", "reset"));
            }
        }
        int failing = failStatus;
        if (failing == 500) {
            return answer(500, Map.of(), error(500, "INTERNAL", "INTERNAL", "Internal error encountered."));
        } else if (failing == 503) {
            return answer(503, Map.of(), error(503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable."));
        } else if (failing == 429 || throttleNext.getAndDecrement() > 0) {
            throttledAt.add(Instant.now());
            return answer(429, Map.of("Retry-After", String.valueOf(retryAfterSeconds)),
                    error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for sending messages"));
        } else if (unregistered.contains(token)) {
            return answer(404, Map.of(), error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."));
        } else if (malformed.contains(token)) {
            return answer(400, Map.of(), error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                    "The registration token is not a valid FCM registration token"));
        }
        accepted.add(new Received(path.group(1), token, message, Instant.now()));
        return answer(200, Map.of(), "{\"name\":\"projects/" + path.group(1) + "/messages/" + accepted.size() + "\"}");
    }

    private static LocalHttp2Server.Answer answer(int status, Map<String, String> headers, String body) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Content-Type", "application/json; charset=UTF-8");
        return new LocalHttp2Server.Answer(status, all, body);
    }

    private static String error(int code, String status, String fcmCode, String message) {
        var error = JSON.createObjectNode();
        var inner = error.putObject("error").put("code", code).put("message", message).put("status", status);
        if (fcmCode != null) {
            inner.putArray("details").addObject()
                    .put("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError").put("errorCode", fcmCode);
        }
        return error.toString();
    }

    private static void respond(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
            headers.forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        fcmServer.close();
        tokenServer.stop(0);
        executor.shutdownNow();
    }
}
