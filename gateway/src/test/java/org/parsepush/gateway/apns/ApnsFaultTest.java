package org.parsepush.gateway.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.parsepush.gateway.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parsepush.gateway.ProviderFaults;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;

/**
 * APNs misbehaving while a push to a thousand devices runs ({@link FaultyApns}): error
 * statuses, connections cut mid-stream, stalled streams, an expired provider token. Once the
 * fault clears every device has the push; a fault that never clears ends in devices failed
 * with a reason after {@code delivery.maxAttempts} tries; and devices get the push twice only
 * where APNs took it but its answer was lost (cut connection, stalled stream).
 */
class ApnsFaultTest {

    static final String TOPIC = "com.example.faults";
    static final String TOKEN_TOPIC = "com.example.faults.token";
    static final int AUDIENCE = 1000;
    static final int WINDOW = 500;
    static final int MAX_ATTEMPTS = 4;

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static FaultyApns apns;
    static TestGateway gateway;
    static int sequence;
    MongoCollection<Document> installations;

    @BeforeAll
    static void start() throws Exception {
        mongo = TestMongo.start();
        apns = FaultyApns.start();
        Path p12 = ApnsTestCertificates.p12(dir, TOPIC, "faults-pw");
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", trustedServerCaFile: "%s", maxInFlightPerCredential: %d,
                       requestTimeoutMillis: 1000}
                delivery: {batchSize: 250, maxAttempts: %d, initialBackoffMillis: 100, maxBackoffMillis: 400,
                           requestTimeoutSeconds: 5, statusFlushMillis: 100}
                """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir), WINDOW, MAX_ATTEMPTS);
        String app = """
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: faults-pw}
                      - {topic: %s, p8File: "%s", keyId: KEY1234567, teamId: TEAM123456}
                """.formatted(TOPIC, p12, TOKEN_TOPIC, writeP8(dir));
        Path data = dir.resolve("gateway");
        gateway = TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of());
    }

    static Path writeP8(Path dir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        Path p8 = dir.resolve("AuthKey_KEY1234567.p8");
        Files.writeString(p8, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return p8;
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        apns.close();
        mongo.close();
    }

    @BeforeEach
    void clean() {
        apns.reset();
        installations = mongo.database("testdb").getCollection("_Installation");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"500, InternalServerError", "503, ServiceUnavailable", "429, TooManyRequests"})
    void everyDeviceGetsThePushOnceWhenAnErrorStatusClears(int status, String reason) throws Exception {
        Set<String> audience = seed(TOPIC, AUDIENCE);
        apns.failAll(status, reason);
        String pushId = send();
        // Every device of the first window refused at least once, most of them twice.
        Await.until(Duration.ofSeconds(20),
                "APNs saw too few tries while failing",
                () -> apns.totalTries() >= WINDOW * 3 / 2);
        apns.clear();
        PushStatus result = gateway.awaitFinished(pushId, Duration.ofSeconds(25));

        assertEquals(PushState.PUSH_STATE_SUCCEEDED, result.getState());
        assertEquals(AUDIENCE, result.getNumSent(), "failed: " + failures(result));
        assertEquals(0, result.getNumFailed());
        Map<String, Integer> delivered = apns.deliveredByToken();
        assertEquals(audience, delivered.keySet(), "not every device got the push");
        // A refused notification is not delivered: nobody gets it twice.
        assertEquals(Set.of(1), new HashSet<>(delivered.values()), "a device got the push twice");
        assertTriesBounded(audience);
        assertTrue(apns.triesByToken().values().stream().anyMatch(tries -> tries >= 2), "nothing was retried");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"503 ServiceUnavailable, provider_unavailable", "429 TooManyRequests, rate_limited",
            "stall, provider_unavailable"})
    void aFaultThatNeverClearsEndsWithFailedDevicesAfterMaxAttempts(String fault, String reason) throws Exception {
        int audienceSize = 100;
        Set<String> audience = seed(TOPIC, audienceSize);
        if (fault.equals("stall")) {
            apns.stallAll();
        } else {
            String[] words = fault.split(" ");
            apns.failAll(Integer.parseInt(words[0]), words[1]);
        }
        PushStatus result = gateway.awaitFinished(send(), Duration.ofSeconds(25));

        ProviderFaults.assertGaveUp(mongo, result, audience, apns.triesByToken(), reason, MAX_ATTEMPTS);
    }

    @Test
    void connectionsCutMidStreamLoseNoDevice() throws Exception {
        Set<String> audience = seed(TOPIC, AUDIENCE);
        // Pushy fails every notification in flight on a cut connection at once, and each such
        // failure uses up one try: with fewer cuts than tries no device can run out of tries.
        int cuts = MAX_ATTEMPTS - 1;
        apns.dropConnectionEvery(200, cuts);
        PushStatus result = gateway.awaitFinished(send(), Duration.ofSeconds(25));

        assertEquals(cuts, apns.drops(), "the connection was not cut as often as asked");
        assertEquals(AUDIENCE, result.getNumSent(), "failed: " + failures(result));
        assertEquals(0, result.getNumFailed());
        Map<String, Integer> delivered = apns.deliveredByToken();
        assertEquals(audience, delivered.keySet(), "not every device got the push");
        int duplicates = delivered.values().stream().mapToInt(count -> count - 1).sum();
        long twice = delivered.values().stream().filter(count -> count > 1).count();
        System.out.printf("connection cuts: %d cuts, %d devices got the push more than once, %d extra copies,"
                + " %d connections opened%n", cuts, twice, duplicates, apns.connectionsOpened());
        // At least once: a device is sent again only when a cut lost APNs' answer to it, so a
        // device gets at most one extra copy per cut, and a cut at most one window of them.
        assertTrue(duplicates <= cuts * WINDOW, duplicates + " extra copies for " + cuts + " cuts");
        for (Map.Entry<String, Integer> device : delivered.entrySet()) {
            assertTrue(device.getValue() <= 1 + cuts, device.getKey() + " got the push " + device.getValue() + " times");
        }
        assertTriesBounded(audience);
    }

    @Test
    void stalledStreamsAreRetriedAloneAfterTheApnsRequestTimeout() throws Exception {
        Set<String> audience = seed(TOPIC, AUDIENCE);
        Set<String> stalled = new HashSet<>();
        int i = 0;
        for (String token : audience) {
            if (i++ % 10 == 0) {
                stalled.add(token);
            }
        }
        apns.stallFirstTryOf(stalled);
        PushStatus result = gateway.awaitFinished(send(), Duration.ofSeconds(25));

        assertEquals(AUDIENCE, result.getNumSent(), "failed: " + failures(result));
        Map<String, Integer> tries = apns.triesByToken();
        for (String token : audience) {
            // Only the devices whose stream stalled are sent again, not their whole batch.
            assertEquals(stalled.contains(token) ? 2 : 1, tries.get(token), "tries of " + token);
        }
        assertEquals(audience, apns.deliveredByToken().keySet());
        assertEquals(Set.of(1), new HashSet<>(apns.deliveredByToken().values()));

        // APNs answers the stalled streams at last: those devices now have it twice, no more.
        apns.clear();
        Await.until(Duration.ofSeconds(20),
                "the held streams were not answered",
                () -> apns.deliveredByToken().values().stream().mapToInt(Integer::intValue).sum()
                == AUDIENCE + stalled.size());
        for (String token : audience) {
            assertEquals(stalled.contains(token) ? 2 : 1, apns.deliveredByToken().get(token));
        }
    }

    @Test
    void anExpiredProviderTokenIsReplacedAndItsDevicesAreRetried() throws Exception {
        Set<String> audience = seed(TOKEN_TOPIC, AUDIENCE);
        apns.expireFirstProviderToken();
        PushStatus result = gateway.awaitFinished(send(), Duration.ofSeconds(25));

        assertEquals(PushState.PUSH_STATE_SUCCEEDED, result.getState());
        assertEquals(AUDIENCE, result.getNumSent(), "failed: " + failures(result));
        assertEquals(0, result.getNumFailed(), "an ExpiredProviderToken answer is a retry, not a failure");
        assertTrue(apns.providerTokensSeen() >= 2, "the gateway never signed a new provider token");
        assertTrue(apns.connectionsOpened() >= 2, "Pushy kept the connection APNs called expired");
        Map<String, Integer> delivered = apns.deliveredByToken();
        assertEquals(audience, delivered.keySet());
        assertEquals(Set.of(1), new HashSet<>(delivered.values()), "refused notifications are not delivered");
        assertTriesBounded(audience);
    }

    /** The failed devices' reasons and a few distinct details, for assertion messages. */
    static String failures(PushStatus result) {
        Set<String> details = new java.util.LinkedHashSet<>();
        for (Document outcome : mongo.database("testdb").getCollection("push_gateway_outcomes")
                .find(new Document("pushId", result.getPushId()).append("kind", new Document("$ne", "SENT")))) {
            if (details.size() < 5) {
                details.add(outcome.getString("reason") + ": " + outcome.getString("detail"));
            }
        }
        return result.getFailedPerReasonMap() + " " + details;
    }

    private void assertTriesBounded(Set<String> audience) {
        Map<String, Integer> tries = apns.triesByToken();
        for (String token : audience) {
            int count = tries.getOrDefault(token, 0);
            assertTrue(count >= 1 && count <= MAX_ATTEMPTS, token + " was tried " + count + " times");
        }
    }

    /** {@code count} iOS installations on a channel of their own; returns their tokens. */
    private Set<String> seed(String topic, int count) {
        int test = ++sequence;
        List<Document> batch = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        Date now = new Date();
        for (int i = 0; i < count; i++) {
            String token = String.format("%064x", test * 1_000_000L + i);
            tokens.add(token);
            batch.add(new Document("_id", String.format("F%02d%06d", test, i)).append("deviceType", "ios")
                    .append("deviceToken", token).append("appIdentifier", topic)
                    .append("channels", List.of("faults-" + test)).append("_created_at", now).append("_updated_at", now));
        }
        installations.insertMany(batch);
        return tokens;
    }

    private String send() {
        return ProviderFaults.sendTo(gateway, "faults-" + sequence);
    }
}
