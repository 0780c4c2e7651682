package org.parsepush.gateway.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * FCM misbehaving while a push to 500 Android devices runs, reached through the real
 * Firebase Admin SDK ({@link LocalFcm}): 429 with Retry-After, 500, 503, and requests left
 * without an answer until the SDK's read timeout ({@code fcm.requestTimeoutMillis}, 1.5 s here). The
 * same promises as for APNs: nothing lost once the fault clears, bounded tries when it
 * never does, and a second copy only where FCM took a message whose answer came too late.
 */
class FcmFaultTest {

    static final String SENDER = "111111111111";
    static final int AUDIENCE = 500;
    static final int MAX_ATTEMPTS = 4;
    /** The Admin SDK retries a 503 itself, 4 times, before the gateway hears of it. */
    static final int SDK_TRIES_PER_503 = 5;

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static LocalFcm fcm;
    static TestGateway gateway;
    static int sequence;
    MongoCollection<Document> installations;

    @BeforeAll
    static void start() throws Exception {
        mongo = TestMongo.start();
        fcm = LocalFcm.start();
        String top = """
                mongo: {uri: "%s"}
                fcm: {endpoint: "%s", requestTimeoutMillis: 1500}
                delivery: {batchSize: 250, maxAttempts: %d, initialBackoffMillis: 100, maxBackoffMillis: 400,
                           requestTimeoutSeconds: 20, statusFlushMillis: 100}
                """.formatted(mongo.uri(), fcm.endpoint(), MAX_ATTEMPTS);
        String app = """
                    fcm:
                      - {senderId: "%s", serviceAccountFile: "%s"}
                """.formatted(SENDER, fcm.writeServiceAccount(dir, "faults-project"));
        Path data = dir.resolve("gateway");
        gateway = TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fcm.close();
        mongo.close();
    }

    @BeforeEach
    void clean() {
        fcm.reset();
        installations = mongo.database("testdb").getCollection("_Installation");
    }

    @ParameterizedTest(name = "HTTP {0}")
    @CsvSource({"500", "503", "429"})
    void everyDeviceGetsThePushOnceWhenAnErrorStatusClears(int status) throws Exception {
        Set<String> audience = seed(AUDIENCE);
        fcm.failAll(status, 1);
        String pushId = send();
        Await.until(Duration.ofSeconds(20),
                "FCM saw too few tries while failing",
                () -> fcm.totalTries() >= AUDIENCE * 3 / 2);
        fcm.clear();
        PushStatus result = gateway.awaitFinished(pushId, Duration.ofSeconds(25));

        assertEquals(PushState.PUSH_STATE_SUCCEEDED, result.getState());
        assertEquals(AUDIENCE, result.getNumSent(), "failed: " + result.getFailedPerReasonMap());
        assertEquals(0, result.getNumFailed());
        Map<String, Integer> accepted = fcm.acceptedByToken();
        assertEquals(audience, accepted.keySet(), "not every device got the push");
        assertEquals(Set.of(1), new HashSet<>(accepted.values()), "a refused message is not delivered");
        int bound = MAX_ATTEMPTS * (status == 503 ? SDK_TRIES_PER_503 : 1);
        for (String token : audience) {
            int tries = fcm.triesByToken().get(token);
            assertTrue(tries >= 1 && tries <= bound, token + " was tried " + tries + " times");
        }
        assertTrue(fcm.triesByToken().values().stream().anyMatch(tries -> tries >= 2), "nothing was retried");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"500, provider_unavailable", "429, rate_limited", "stall, provider_unavailable"})
    void aFaultThatNeverClearsEndsWithFailedDevicesAfterMaxAttempts(String fault, String reason) throws Exception {
        int audienceSize = 50;
        Set<String> audience = seed(audienceSize);
        if (fault.equals("stall")) {
            fcm.stallAll();
        } else {
            fcm.failAll(Integer.parseInt(fault), 0);
        }
        PushStatus result = gateway.awaitFinished(send(), Duration.ofSeconds(25));

        ProviderFaults.assertGaveUp(mongo, result, audience, fcm.triesByToken(), reason, MAX_ATTEMPTS);
    }

    @Test
    void requestsWithoutAnAnswerAreRetriedAloneAfterTheReadTimeout() throws Exception {
        Set<String> audience = seed(AUDIENCE);
        Set<String> stalled = new HashSet<>();
        int i = 0;
        for (String token : audience) {
            if (i++ % 10 == 0) {
                stalled.add(token);
            }
        }
        fcm.stallFirstTryOf(stalled);
        PushStatus result = gateway.awaitFinished(send(), Duration.ofSeconds(25));

        assertEquals(AUDIENCE, result.getNumSent(), "failed: " + result.getFailedPerReasonMap());
        Map<String, Integer> tries = fcm.triesByToken();
        for (String token : audience) {
            assertEquals(stalled.contains(token) ? 2 : 1, tries.get(token), "tries of " + token);
        }
        assertEquals(audience, fcm.acceptedByToken().keySet());
        assertEquals(Set.of(1), new HashSet<>(fcm.acceptedByToken().values()));

        // FCM answers the stalled requests at last (it had them): those devices have it twice, no more.
        fcm.clear();
        Await.until(Duration.ofSeconds(20),
                "the stalled requests were not answered",
                () -> fcm.accepted().size() == AUDIENCE + stalled.size());
        for (String token : audience) {
            assertEquals(stalled.contains(token) ? 2 : 1, fcm.acceptedByToken().get(token));
        }
    }

    /** {@code count} Android installations on a channel of their own; returns their tokens. */
    private Set<String> seed(int count) {
        int test = ++sequence;
        List<Document> batch = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        Date now = new Date();
        for (int i = 0; i < count; i++) {
            String token = "fault-token-" + test + "-" + i;
            tokens.add(token);
            batch.add(new Document("_id", String.format("G%02d%06d", test, i)).append("deviceType", "android")
                    .append("pushType", "gcm").append("deviceToken", token).append("GCMSenderId", SENDER)
                    .append("channels", List.of("faults-" + test)).append("_created_at", now).append("_updated_at", now));
        }
        installations.insertMany(batch);
        return tokens;
    }

    private String send() {
        return ProviderFaults.sendTo(gateway, "faults-" + sequence);
    }
}
