package org.parsepush.gateway.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eatthepath.pushy.apns.server.RejectionReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoCollection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.PushData;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * End to end: installations stored as Parse stores them, SendPush through the gRPC API, and
 * Pushy's MockApnsServer over TLS authenticating a P12 client certificate made for the test.
 */
class ApnsDeliveryTest {

    static final String TOPIC = "com.example.app";
    static final String OTHER_TOPIC = "com.example.other";
    static final String BROKEN_TOPIC = "com.example.broken";
    static final String P12_PASSWORD = "p12-secret-71be";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static MockApns production;
    static MockApns sandbox;
    static TestGateway gateway;
    static CapturedLogs logs;
    static final Set<String> tokens = new HashSet<>();
    static final Map<String, Instant> unregistered = new HashMap<>();
    static int sequence;

    MongoCollection<Document> installations;

    @BeforeAll
    static void start() throws Exception {
        logs = CapturedLogs.capture();
        mongo = TestMongo.start();
        Path trusted = dir.resolve("trusted-clients.pem");
        Path p12 = ApnsTestCertificates.p12(dir, TOPIC, P12_PASSWORD);
        Path otherP12 = ApnsTestCertificates.p12(dir, OTHER_TOPIC, P12_PASSWORD);
        Path brokenP12 = ApnsTestCertificates.p12(dir, BROKEN_TOPIC, P12_PASSWORD);
        ApnsTestCertificates.trust(p12, P12_PASSWORD, trusted);
        ApnsTestCertificates.trust(otherP12, P12_PASSWORD, trusted);
        production = MockApns.validating(Map.of(TOPIC, tokens, OTHER_TOPIC, tokens), unregistered, trusted);
        sandbox = MockApns.validating(Map.of(OTHER_TOPIC, tokens), Map.of(), trusted);
        Path ca = MockApns.writeServerCa(dir);
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", sandboxServer: "%s", trustedServerCaFile: "%s"}
                delivery: {initialBackoffMillis: 20, maxBackoffMillis: 200, statusFlushMillis: 50, batchSize: 3}
                """.formatted(mongo.uri(), production.address(), sandbox.address(), ca);
        String app = """
                    apns:
                      - {topic: %s, environment: production, p12File: "%s", p12Password: "%s"}
                      - {topic: %s, environment: production, p12File: "%s", p12Password: "%s"}
                      - {topic: %s, environment: sandbox, p12File: "%s", p12Password: "%s"}
                      - {topic: %s, environment: production, p12File: "%s", p12Password: "wrong-password"}
                """.formatted(TOPIC, p12, P12_PASSWORD, OTHER_TOPIC, otherP12, P12_PASSWORD,
                OTHER_TOPIC, otherP12, P12_PASSWORD, BROKEN_TOPIC, brokenP12);
        gateway = TestGateway.startYaml(dir.resolve("gateway"), TestGateway.yaml(dir.resolve("gateway"), top, app),
                Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        production.close();
        sandbox.close();
        mongo.close();
        logs.close();
    }

    @BeforeEach
    void clean() {
        installations = mongo.database("testdb").getCollection("_Installation");
        installations.deleteMany(new Document());
    }

    @AfterEach
    void noSecretsLogged() {
        assertFalse(logs.text().contains(P12_PASSWORD), "the P12 password reached the logs");
        assertFalse(logs.text().contains(TestGateway.MASTER_KEY), "the master key reached the logs");
    }

    /** A new valid token (64 hex characters), known to the mock APNs. */
    static String newToken() {
        String token = String.format("%064x", 0x5eed0000L + ++sequence);
        tokens.add(token);
        return token;
    }

    Document insert(String id, String type, String token, List<String> channels, String appIdentifier) {
        Date now = new Date();
        Document doc = new Document("_id", id).append("installationId", id.toLowerCase() + "-inst")
                .append("deviceType", type).append("channels", channels)
                .append("_created_at", now).append("_updated_at", now);
        if (token != null) {
            doc.append("deviceToken", token);
        }
        if (appIdentifier != null) {
            doc.append("appIdentifier", appIdentifier);
        }
        installations.insertOne(doc);
        return doc;
    }

    static SendPushRequest.Builder toChannel(String channel) {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder()
                .setChannels(Channels.newBuilder().addNames(channel)));
    }

    static PushStatus run(SendPushRequest request) throws InterruptedException {
        return gateway.awaitFinished(gateway.send(request), Duration.ofSeconds(30));
    }

    @Test
    void aPushByChannelReachesExactlyTheSubscribedAppleDevicesWithParsesPayload() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String token = newToken();
            insert("ch" + i, i % 2 == 0 ? "ios" : "tvos", token, List.of("news"), TOPIC);
            expected.add(token);
        }
        String notSubscribed = newToken();
        insert("chX", "ios", notSubscribed, List.of("sports"), TOPIC);
        insert("chA", "android", "fcm-token", List.of("news"), "com.example.android");
        insert("chE", "embedded", null, List.of("news"), null);
        int before = production.accepted().size();

        PushStatus status = run(toChannel("news").setDataJson(
                "{\"alert\":\"Hello\",\"title\":\"News\",\"badge\":3,\"sound\":\"chime.caf\",\"category\":\"NEWS\","
                        + "\"articleId\":42}").setCollapseId("news-1").build());

        List<MockApns.Received> received = production.accepted().subList(before, production.accepted().size());
        assertEquals(Set.copyOf(expected), received.stream().map(MockApns.Received::token)
                .collect(java.util.stream.Collectors.toSet()));
        assertEquals(expected.size(), received.size(), "each device exactly once");
        for (MockApns.Received notification : received) {
            assertEquals(TOPIC, notification.topic());
            assertEquals("alert", notification.pushType());
            assertEquals("10", notification.priority());
            assertEquals("news-1", notification.collapseId());
            JsonNode payload = JSON.readTree(notification.payload());
            assertEquals("News", payload.at("/aps/alert/title").asText());
            assertEquals("Hello", payload.at("/aps/alert/body").asText());
            assertEquals(3, payload.at("/aps/badge").asInt());
            assertEquals("chime.caf", payload.at("/aps/sound").asText());
            assertEquals("NEWS", payload.at("/aps/category").asText());
            assertEquals(42, payload.get("articleId").asInt());
        }

        assertEquals(PushState.PUSH_STATE_SUCCEEDED, status.getState());
        assertEquals(7, status.getNumSent());
        assertEquals(Map.of("sender_id_not_configured", 1L), status.getFailedPerReasonMap(),
                "this app has no Firebase credential for its Android device");
        assertEquals(Map.of("ios", 4L, "tvos", 3L), status.getSentPerTypeMap());
        assertEquals(1, status.getNumQueued(), "the offline embedded device waits in its PPNS inbox");

        Document stored = mongo.database("testdb").getCollection("_PushStatus")
                .find(new Document("_id", status.getPushId())).first();
        assertNotNull(stored);
        assertEquals("succeeded", stored.getString("status"));
        assertEquals("{\"channels\":{\"$in\":[\"news\"]}}", stored.getString("query"));
        assertEquals("rest", stored.getString("source"));
        assertEquals(7, ((Number) stored.get("numSent")).intValue());
        assertEquals(List.of(), stored.get("_rperm"));
        assertEquals(List.of(), stored.get("_wperm"));
        assertEquals(10, stored.getString("_id").length());
        assertEquals(org.parsepush.gateway.push.ParseData.pushHash(JSON.readTree("{\"alert\":\"Hello\"}")),
                stored.getString("pushHash"));
        assertTrue(stored.getString("pushTime").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                stored.getString("pushTime"));
    }

    @Test
    void aPushByWhereWithBadgeIncrementSendsEachDeviceItsNewBadge() throws Exception {
        String first = newToken();
        String second = newToken();
        installations.insertOne(new Document("_id", "bw1").append("deviceType", "ios").append("deviceToken", first)
                .append("badge", 4).append("appIdentifier", TOPIC).append("_updated_at", new Date()));
        installations.insertOne(new Document("_id", "bw2").append("deviceType", "ios").append("deviceToken", second)
                .append("appIdentifier", TOPIC).append("_updated_at", new Date()));
        installations.insertOne(new Document("_id", "bw3").append("deviceType", "ios").append("deviceToken", newToken())
                .append("appIdentifier", OTHER_TOPIC).append("vip", false).append("_updated_at", new Date()));
        int before = production.accepted().size();

        PushStatus status = run(SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setWhereJson("{\"deviceType\":\"ios\",\"vip\":{\"$ne\":false}}"))
                .setData(PushData.newBuilder().setAlertText("Ding").setBadgeIncrement(true)).build());

        assertEquals(2, status.getNumSent());
        Map<String, Integer> badges = new HashMap<>();
        for (MockApns.Received notification : production.accepted().subList(before, production.accepted().size())) {
            badges.put(notification.token(), JSON.readTree(notification.payload()).at("/aps/badge").asInt());
        }
        assertEquals(Map.of(first, 5, second, 1), badges);
        assertEquals(5, installations.find(new Document("_id", "bw1")).first().getInteger("badge"));
        assertNull(installations.find(new Document("_id", "bw3")).first().get("badge"), "not in the audience");
    }

    @Test
    void anUnregisteredTokenIsRemovedButOneUpdatedAfterThePushStartedIsKept() throws Exception {
        String dead = newToken();
        String reRegistered = newToken();
        String alive = newToken();
        unregistered.put(dead, Instant.now().minusSeconds(60));
        unregistered.put(reRegistered, Instant.now().minusSeconds(60));
        insert("un1", "ios", dead, List.of("cleanup"), TOPIC);
        insert("un3", "ios", alive, List.of("cleanup"), TOPIC);
        // Updated "after the push started": the device registered again meanwhile.
        installations.insertOne(new Document("_id", "un2").append("deviceType", "ios").append("deviceToken", reRegistered)
                .append("channels", List.of("cleanup")).append("appIdentifier", TOPIC).append("_updated_at", Date.from(Instant.now().plusSeconds(3600))));

        PushStatus status = run(toChannel("cleanup").setDataJson("{\"alert\":\"bye\"}").build());

        assertEquals(1, status.getNumSent());
        assertEquals(2, status.getNumFailed());
        assertEquals(Map.of("unregistered", 2L), status.getFailedPerReasonMap());
        assertEquals(Map.of("ios", 2L), status.getFailedPerTypeMap());
        assertNull(installations.find(new Document("_id", "un1")).first().get("deviceToken"), "dead token removed");
        assertEquals(reRegistered, installations.find(new Document("_id", "un2")).first().get("deviceToken"));
        assertEquals(alive, installations.find(new Document("_id", "un3")).first().get("deviceToken"));
    }

    @Test
    void apnsAnswering503And429ForAWhileStillDeliversEverythingOnce() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String token = newToken();
            insert("flaky" + i, "ios", token, List.of("flaky"), TOPIC);
            expected.add(token);
        }
        int before = production.accepted().size();
        production.failNext(6, RejectionReason.SERVICE_UNAVAILABLE);

        PushStatus status = run(toChannel("flaky").setDataJson("{\"alert\":\"retry me\"}").build());

        assertEquals(10, status.getNumSent(), "failed: " + status.getFailedPerReasonMap());
        Map<String, List<MockApns.Received>> byToken = new HashMap<>();
        for (MockApns.Received notification : production.accepted().subList(before, production.accepted().size())) {
            byToken.computeIfAbsent(notification.token(), t -> new ArrayList<>()).add(notification);
        }
        assertEquals(Set.copyOf(expected), byToken.keySet());
        byToken.forEach((token, copies) -> assertEquals(1, copies.size(), token + " received twice"));

        production.failNext(4, RejectionReason.TOO_MANY_REQUESTS);
        before = production.accepted().size();
        status = run(toChannel("flaky").setDataJson("{\"alert\":\"throttled\"}").build());
        assertEquals(10, status.getNumSent());
        assertEquals(10, production.accepted().size() - before);
    }

    @Test
    void aBadDeviceTokenFromTheOtherEnvironmentIsRetriedThereAndNotRemoved() throws Exception {
        String sandboxToken = newToken();
        String badEverywhere = newToken();
        production.refuse(sandboxToken, RejectionReason.BAD_DEVICE_TOKEN);
        production.refuse(badEverywhere, RejectionReason.BAD_DEVICE_TOKEN);
        sandbox.refuse(badEverywhere, RejectionReason.BAD_DEVICE_TOKEN);
        insert("env1", "ios", sandboxToken, List.of("env"), OTHER_TOPIC);
        insert("env2", "ios", badEverywhere, List.of("env"), OTHER_TOPIC);
        int before = sandbox.accepted().size();

        PushStatus status = run(toChannel("env").setDataJson("{\"alert\":\"which env?\"}").build());

        assertEquals(1, status.getNumSent());
        assertEquals(Map.of("bad_device_token", 1L), status.getFailedPerReasonMap());
        assertEquals(List.of(sandboxToken), sandbox.accepted().subList(before, sandbox.accepted().size()).stream()
                .map(MockApns.Received::token).toList());
        assertEquals(sandboxToken, installations.find(new Document("_id", "env1")).first().get("deviceToken"));
        assertNull(installations.find(new Document("_id", "env2")).first().get("deviceToken"),
                "refused by both environments: removed");
    }

    @Test
    void aBrokenCredentialFailsOnlyItsOwnDevicesWithAClearMessage() throws Exception {
        String good = newToken();
        insert("cred1", "ios", good, List.of("creds"), TOPIC);
        insert("cred2", "ios", newToken(), List.of("creds"), BROKEN_TOPIC);
        insert("cred3", "ios", newToken(), List.of("creds"), "com.example.unknown");

        PushStatus status = run(toChannel("creds").setDataJson("{\"alert\":\"hi\"}").build());

        assertEquals(1, status.getNumSent());
        assertEquals(Map.of("credential_failed", 1L, "topic_not_configured", 1L), status.getFailedPerReasonMap());
        assertTrue(status.getErrorMessage().contains("topic " + BROKEN_TOPIC), status.getErrorMessage());
        assertTrue(status.getErrorMessage().contains("could not be loaded"), status.getErrorMessage());
        assertFalse(status.getErrorMessage().contains("wrong-password"), "the password leaked into errorMessage");
        assertTrue(production.acceptedByToken().containsKey(good));
    }

    @Test
    void aPayloadOverFourKilobytesIsRefusedBeforeAnythingIsSent() {
        String alert = "x".repeat(4100);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> gateway.send(toChannel("news").setDataJson("{\"alert\":\"" + alert + "\"}").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("APNs accepts at most 4096"), e.getStatus().getDescription());
    }

    @Test
    void anUnsupportedQueryIsRefusedNamingTheKey() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> gateway.send(
                SendPushRequest.newBuilder().setTarget(Target.newBuilder().setWhereJson("{\"$where\":\"1\"}"))
                        .setDataJson("{\"alert\":\"x\"}").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("'$where'"), e.getStatus().getDescription());
        assertEquals(0, mongo.database("testdb").getCollection("_PushStatus")
                .countDocuments(new Document("payload", "{\"alert\":\"x\"}")), "nothing was recorded");
    }

    @Test
    void aBackgroundPushIsSentWithTheBackgroundTypeAndPriorityFive() throws Exception {
        String token = newToken();
        insert("bg1", "ios", token, List.of("bg"), TOPIC);
        int before = production.accepted().size();
        run(toChannel("bg").setData(PushData.newBuilder().setContentAvailable(true)).build());
        MockApns.Received received = production.accepted().get(before);
        assertEquals("background", received.pushType());
        assertEquals("5", received.priority());
        assertEquals(1, JSON.readTree(received.payload()).at("/aps/content-available").asInt());
        assertTrue(Files.exists(dir));
    }
}
