package org.parsepush.gateway.apns;

import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.PushNotificationHandler;
import com.eatthepath.pushy.apns.server.PushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushy's {@link MockApnsServer} over real TLS on a loopback port, with the server
 * certificate from Pushy's test jar and the client certificates made by
 * {@link ApnsTestCertificates}. Records every accepted notification; can answer with
 * injected errors first, or refuse chosen tokens.
 */
public final class MockApns implements AutoCloseable {

    /** One notification as APNs received it. */
    public record Received(String token, String topic, String pushType, String priority, String expiration,
                           String collapseId, String payload, Instant at) {
    }

    private final MockApnsServer server;
    private final int port;
    private final List<Received> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger faultsLeft = new AtomicInteger();
    private volatile RejectionReason faultReason = RejectionReason.SERVICE_UNAVAILABLE;
    private final Map<String, RejectionReason> refusedTokens = new ConcurrentHashMap<>();

    private MockApns(PushNotificationHandlerFactory validation, Path trustedClientCertificates) throws Exception {
        PushNotificationHandlerFactory handlers = session -> {
            PushNotificationHandler delegate = validation.buildHandler(session);
            return (headers, payload) -> {
                RejectionReason refusal = refusedTokens.get(token(headers));
                if (refusal != null) {
                    throw new RejectedNotificationException(refusal);
                }
                if (faultsLeft.getAndDecrement() > 0) {
                    throw new RejectedNotificationException(faultReason);
                }
                delegate.handlePushNotification(headers, payload);
            };
        };
        try (InputStream certs = resource("server-certs.pem"); InputStream key = resource("server-key.pem")) {
            server = new MockApnsServerBuilder()
                    .setServerCredentials(certs, key, null)
                    .setTrustedClientCertificateChain(trustedClientCertificates.toFile())
                    .setHandlerFactory(handlers)
                    .setListener(new Recorder())
                    .build();
        }
        port = server.start(0).get(10, TimeUnit.SECONDS);
    }

    /** A server that, like APNs, only accepts the given tokens per topic and reports {@code expired} ones as 410. */
    public static MockApns validating(Map<String, Set<String>> tokensByTopic, Map<String, Instant> expired,
                                      Path trustedClientCertificates) throws Exception {
        return new MockApns(new ValidatingPushNotificationHandlerFactory(tokensByTopic, expired, null, null),
                trustedClientCertificates);
    }

    /** A validating server for token (p8) authentication: {@code key} may push to {@code tokensByTopic}'s topics. */
    public static MockApns validatingTokens(Map<String, Set<String>> tokensByTopic,
                                            com.eatthepath.pushy.apns.auth.ApnsVerificationKey key,
                                            Path trustedClientCertificates) throws Exception {
        return new MockApns(new ValidatingPushNotificationHandlerFactory(tokensByTopic, Map.of(),
                Map.of(key.getKeyId(), key), Map.of(key, tokensByTopic.keySet())), trustedClientCertificates);
    }

    /** A server that accepts every well-formed notification (for large audiences). */
    public static MockApns acceptingAll(Path trustedClientCertificates) throws Exception {
        return new MockApns(new AcceptAllPushNotificationHandlerFactory(), trustedClientCertificates);
    }

    /** Answers the next {@code count} notifications with {@code reason} (503, 429, ...). */
    public void failNext(int count, RejectionReason reason) {
        faultReason = reason;
        faultsLeft.set(count);
    }

    /** Refuses every notification to {@code token} with {@code reason}. */
    public void refuse(String token, RejectionReason reason) {
        refusedTokens.put(token, reason);
    }

    /** {@code host:port} for the gateway's configuration. */
    public String address() {
        return "localhost:" + port;
    }

    public List<Received> accepted() {
        return accepted;
    }

    /** Accepted notifications per token. */
    public Map<String, List<Received>> acceptedByToken() {
        Map<String, List<Received>> byToken = new ConcurrentHashMap<>();
        for (Received received : accepted) {
            byToken.computeIfAbsent(received.token(), t -> new ArrayList<>()).add(received);
        }
        return byToken;
    }

    /** The CA that signed the server certificate, as a file for {@code apns.trustedServerCaFile}. */
    public static Path writeServerCa(Path dir) throws IOException {
        Path file = dir.resolve("apns-ca.pem");
        try (InputStream ca = resource("ca.pem")) {
            Files.copy(ca, file);
        }
        return file;
    }

    /** Like {@link #writeServerCa}, for tests that start several gateways from one directory. */
    public static Path writeServerCaIfAbsent(Path dir) throws IOException {
        Path file = dir.resolve("apns-ca.pem");
        return Files.exists(file) ? file : writeServerCa(dir);
    }

    private static InputStream resource(String name) {
        InputStream in = MockApns.class.getResourceAsStream("/" + name);
        if (in == null) {
            throw new IllegalStateException(name + " is missing from Pushy's test jar");
        }
        return in;
    }

    private static String token(Http2Headers headers) {
        String path = String.valueOf(headers.path());
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String header(Http2Headers headers, String name) {
        CharSequence value = headers.get(name);
        return value == null ? null : value.toString();
    }

    private final class Recorder implements MockApnsServerListener {
        @Override
        public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
            accepted.add(new Received(token(headers), header(headers, "apns-topic"), header(headers, "apns-push-type"),
                    header(headers, "apns-priority"), header(headers, "apns-expiration"),
                    header(headers, "apns-collapse-id"),
                    payload == null ? null : payload.toString(StandardCharsets.UTF_8), Instant.now()));
        }

        @Override
        public void handlePushNotificationRejected(Http2Headers headers, ByteBuf payload, RejectionReason reason,
                                                   Instant deviceTokenExpirationTimestamp) {
            // Rejections are asserted through the gateway's status, not here.
        }
    }

    @Override
    public void close() throws Exception {
        server.shutdown().get(10, TimeUnit.SECONDS);
    }
}
