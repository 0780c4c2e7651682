package org.parsepush.gateway.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Duration;
import com.mongodb.client.MongoCollection;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.TestPki;
import org.parsepush.gateway.apns.ApnsTestCertificates;
import org.parsepush.gateway.apns.MockApns;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * Android through the real Firebase Admin SDK, aimed at a local FCM HTTP v1 endpoint and a
 * local OAuth token endpoint; Apple devices of the same pushes through the mock APNs.
 */
class FcmDeliveryTest {

    static final String TOPIC = "com.example.app";
    static final String SENDER_ONE = "111111111111";
    static final String SENDER_TWO = "222222222222";
    static final String PARSE_SHARED_SENDER = "1076345567071";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static MockApns apns;
    static LocalFcm fcm;
    static TestGateway gateway;
    static CapturedLogs logs;
    static final Set<String> appleTokens = new java.util.concurrent.CopyOnWriteArraySet<>();
    static int sequence;

    MongoCollection<Document> installations;

    @BeforeAll
    static void start() throws Exception {
        logs = CapturedLogs.capture();
        mongo = TestMongo.start();
        // Over TLS with ALPN, as FCM itself is reached; the other FCM tests use cleartext HTTP/2.
        TestPki fcmPki = TestPki.create(dir, "fcm");
        fcm = LocalFcm.startTls(fcmPki.server("fcm"));
        Path trusted = dir.resolve("trusted.pem");
        Path p12 = ApnsTestCertificates.p12(dir, TOPIC, "secret-pw");
        ApnsTestCertificates.trust(p12, "secret-pw", trusted);
        apns = MockApns.validating(Map.of(TOPIC, appleTokens), Map.of(), trusted);
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", trustedServerCaFile: "%s"}
                fcm: {endpoint: "%s", trustedServerCaFile: "%s", threadsPerCredential: 4}
                delivery: {initialBackoffMillis: 20, maxBackoffMillis: 200, statusFlushMillis: 50}
                """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir), fcm.endpoint(),
                fcmPki.caCertificate());
        String app = """
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: secret-pw}
                    fcm:
                      - {senderId: "%s", serviceAccountFile: "%s"}
                      - {senderId: "%s", serviceAccountFile: "%s"}
                """.formatted(TOPIC, p12, SENDER_ONE, fcm.writeServiceAccount(dir, "project-one"),
                SENDER_TWO, fcm.writeServiceAccount(dir, "project-two"));
        gateway = TestGateway.startYaml(dir.resolve("gateway"), TestGateway.yaml(dir.resolve("gateway"), top, app),
                Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        apns.close();
        fcm.close();
        mongo.close();
        logs.close();
    }

    @BeforeEach
    void clean() {
        installations = mongo.database("testdb").getCollection("_Installation");
        installations.deleteMany(new Document());
    }

    @AfterEach
    void noKeysInLogs() {
        assertFalse(logs.text().contains("BEGIN PRIVATE KEY"), "service-account key material was logged");
        assertFalse(logs.text().contains(LocalFcm.ACCESS_TOKEN), "an OAuth access token was logged");
    }

    void android(String id, String token, String senderId, String channel) {
        Document doc = new Document("_id", id).append("deviceType", "android").append("pushType", "gcm")
                .append("deviceToken", token).append("channels", List.of(channel)).append("_updated_at", new Date());
        if (senderId != null) {
            doc.append("GCMSenderId", senderId);
        }
        installations.insertOne(doc);
    }

    String ios(String id, String channel) {
        String token = String.format("%064x", 0xf00000L + ++sequence);
        appleTokens.add(token);
        installations.insertOne(new Document("_id", id).append("deviceType", "ios").append("deviceToken", token)
                .append("channels", List.of(channel)).append("_updated_at", new Date()));
        return token;
    }

    static PushStatus run(SendPushRequest request) throws InterruptedException {
        return gateway.awaitFinished(gateway.send(request), java.time.Duration.ofSeconds(30));
    }

    static SendPushRequest.Builder toChannel(String channel, String dataJson) {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder()
                .setChannels(Channels.newBuilder().addNames(channel))).setDataJson(dataJson);
    }

    List<LocalFcm.Received> fcmSince(int before) {
        return new ArrayList<>(fcm.accepted().subList(before, fcm.accepted().size()));
    }

    @Test
    void aMixedAudienceGoesToFcmAndApnsEachDeviceOnceInParsesFormat() throws Exception {
        List<String> androidTokens = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String token = "fcm-token-mixed-" + i;
            android("mx" + i, token, SENDER_ONE, "mixed");
            androidTokens.add(token);
        }
        String appleToken = ios("mxI", "mixed");
        installations.insertOne(new Document("_id", "mxP").append("deviceType", "android").append("pushType", "ppns")
                .append("installationId", "ppns-device").append("channels", List.of("mixed")));
        int fcmBefore = fcm.accepted().size();
        int apnsBefore = apns.accepted().size();

        String data = "{\"alert\":\"Sale\",\"title\":\"Shop\",\"badge\":2,\"uri\":\"shop://sale\",\"campaign\":7}";
        String pushId = gateway.send(toChannel("mixed", data).setCollapseId("sale")
                .setExpirationInterval(Duration.newBuilder().setSeconds(3600)).build());
        PushStatus status = gateway.awaitFinished(pushId, java.time.Duration.ofSeconds(30));

        List<LocalFcm.Received> received = fcmSince(fcmBefore);
        assertEquals(Set.copyOf(androidTokens), received.stream().map(LocalFcm.Received::token).collect(Collectors.toSet()));
        assertEquals(androidTokens.size(), received.size(), "each Android device exactly once");
        for (LocalFcm.Received message : received) {
            assertEquals("project-one", message.projectId());
            JsonNode fields = message.message().path("data");
            assertEquals(pushId, fields.path("push_id").asText());
            assertTrue(fields.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
            assertEquals(JSON.readTree(data), JSON.readTree(fields.path("data").asText()));
            JsonNode android = message.message().path("android");
            assertEquals("high", android.path("priority").asText());
            assertEquals("3600s", android.path("ttl").asText());
            assertEquals("sale", android.path("collapse_key").asText());
            assertTrue(android.path("notification").isMissingNode(), "no notification unless asked for");
        }
        assertEquals(List.of(appleToken), apns.accepted().subList(apnsBefore, apns.accepted().size()).stream()
                .map(MockApns.Received::token).toList());
        assertEquals(7, status.getNumSent());
        assertEquals(Map.of("android", 6L, "ios", 1L), status.getSentPerTypeMap());
        assertEquals(6, status.getPerProviderMap().get("fcm").getSent());
        assertEquals(1, status.getPerProviderMap().get("apns").getSent());
        assertEquals(1, status.getNumQueued(), "android with pushType ppns is a PPNS device (offline here), not FCM");
    }

    @Test
    void devicesReachTheirOwnFirebaseProjectAndUnknownSenderIdsAreReportedNotSent() throws Exception {
        android("s1", "token-sender-one", SENDER_ONE, "senders");
        android("s2", "token-sender-two", SENDER_TWO, "senders");
        android("s3", "token-both", PARSE_SHARED_SENDER + "," + SENDER_TWO, "senders");
        android("s4", "token-parse-only", PARSE_SHARED_SENDER, "senders");
        android("s5", "token-no-sender", null, "senders");
        int before = fcm.accepted().size();

        PushStatus status = run(toChannel("senders", "{\"alert\":\"who am I\"}").setFcmNotification(true).build());

        Map<String, String> projectByToken = new HashMap<>();
        fcmSince(before).forEach(message -> projectByToken.put(message.token(), message.projectId()));
        assertEquals(Map.of("token-sender-one", "project-one", "token-sender-two", "project-two",
                "token-both", "project-two"), projectByToken);
        assertEquals(3, status.getNumSent());
        assertEquals(Map.of("sender_id_not_configured", 2L), status.getFailedPerReasonMap(),
                "Parse's old shared sender id, and no sender id with two projects configured");
        assertEquals("who am I", fcmSince(before).get(0).message().at("/android/notification/body").asText());
    }

    @Test
    void estimateAudienceCountsWhatAPushWouldReachAndSendsNothing() throws Exception {
        android("es1", "token-estimate-1", SENDER_ONE, "estimate");
        android("es2", "token-estimate-2", "999999999999", "estimate");
        android("es3", null, SENDER_TWO, "estimate");
        ios("es4", "estimate");
        installations.insertOne(new Document("_id", "es5").append("deviceType", "winrt")
                .append("channels", List.of("estimate")));
        int fcmBefore = fcm.accepted().size();
        long statusesBefore = mongo.database("testdb").getCollection("_PushStatus").countDocuments();

        var estimate = gateway.authenticated(org.parsepush.proto.v1.PushServiceGrpc.newBlockingStub(gateway.channel()))
                .estimateAudience(org.parsepush.proto.v1.EstimateAudienceRequest.newBuilder()
                        .setTarget(toChannel("estimate", "{}").getTarget()).build());

        assertEquals(5, estimate.getTotal());
        assertEquals(Map.of("android", 3L, "ios", 1L, "winrt", 1L), estimate.getPerDeviceTypeMap());
        assertEquals(Map.of("fcm", 1L, "apns", 1L), estimate.getPerProviderMap());
        assertEquals(Map.of("sender_id_not_configured", 1L, "no_device_token", 1L, "unsupported_device_type", 1L),
                estimate.getUndeliverablePerReasonMap());
        assertEquals(fcmBefore, fcm.accepted().size(), "an estimate sends nothing");
        assertEquals(statusesBefore, mongo.database("testdb").getCollection("_PushStatus").countDocuments(),
                "an estimate records no push");

        var missing = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class, () ->
                gateway.authenticated(org.parsepush.proto.v1.PushServiceGrpc.newBlockingStub(gateway.channel()))
                        .estimateAudience(org.parsepush.proto.v1.EstimateAudienceRequest.getDefaultInstance()));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, missing.getStatus().getCode());
    }

    @Test
    void aStalledFirebaseProjectDoesNotHoldAnotherProjectsMessages() throws Exception {
        Set<String> stalledTokens = new java.util.HashSet<>();
        for (int i = 0; i < 8; i++) {
            android("stall-" + i, "token-stall-" + i, SENDER_ONE, "stalled");
            stalledTokens.add("token-stall-" + i);
        }
        android("free-1", "token-free-1", SENDER_TWO, "free");
        fcm.stallFirstTryOf(stalledTokens);
        try {
            String stalled = gateway.send(toChannel("stalled", "{\"alert\":\"slow\"}").build());
            Await.until(java.time.Duration.ofSeconds(10), "project one's 4 SDK threads are held",
                    () -> fcm.heldSends() == 4);

            PushStatus free = run(toChannel("free", "{\"alert\":\"quick\"}").build());

            assertEquals(1, free.getNumSent(), "project two's message went out while project one's were stalled");
            assertEquals(4, fcm.heldSends(), "project one is still held to its own 4 threads");
            fcm.clear();
            assertEquals(8, gateway.awaitFinished(stalled, java.time.Duration.ofSeconds(30)).getNumSent());
        } finally {
            fcm.clear();
        }
    }

    @Test
    void anUnregisteredTokenIsRemovedAndAMalformedOneTooButOthersStay() throws Exception {
        android("u1", "token-gone", SENDER_ONE, "gone");
        android("u2", "token-bad", SENDER_ONE, "gone");
        android("u3", "token-fine", SENDER_ONE, "gone");
        fcm.unregister("token-gone");
        fcm.malformed("token-bad");

        PushStatus status = run(toChannel("gone", "{\"alert\":\"x\"}").build());

        assertEquals(1, status.getNumSent());
        assertEquals(Map.of("unregistered", 1L, "bad_device_token", 1L), status.getFailedPerReasonMap());
        assertNull(installations.find(new Document("_id", "u1")).first().get("deviceToken"));
        assertNull(installations.find(new Document("_id", "u2")).first().get("deviceToken"));
        assertEquals("token-fine", installations.find(new Document("_id", "u3")).first().get("deviceToken"));
    }

    @Test
    void deliverBatchAnswersOneOutcomePerDeviceInOrderAndLeavesStatusAndCleanupToParse() throws Exception {
        String apple = ios("db1", "batch");
        fcm.unregister("token-batch-gone");
        long statusesBefore = mongo.database("testdb").getCollection("_PushStatus").countDocuments();
        var response = gateway.authenticated(org.parsepush.proto.v1.PushServiceGrpc.newBlockingStub(gateway.channel()))
                .deliverBatch(org.parsepush.proto.v1.DeliverBatchRequest.newBuilder()
                        .setParsePushStatusId("ParsePush01").setDataJson("{\"alert\":\"from Parse\"}")
                        .addDevices(org.parsepush.proto.v1.Device.newBuilder().setDeviceType("ios").setDeviceToken(apple))
                        .addDevices(org.parsepush.proto.v1.Device.newBuilder().setDeviceType("android")
                                .setDeviceToken("token-batch-gone").setGcmSenderId(SENDER_ONE))
                        .addDevices(org.parsepush.proto.v1.Device.newBuilder().setDeviceType("android")
                                .setDeviceToken("token-batch-nowhere").setGcmSenderId(PARSE_SHARED_SENDER))
                        .addDevices(org.parsepush.proto.v1.Device.newBuilder().setDeviceType("android")
                                .setDeviceToken("token-batch-ok").setGcmSenderId(SENDER_TWO))
                        .build());
        var outcomes = response.getOutcomesList();
        assertEquals(4, outcomes.size());
        assertEquals(org.parsepush.proto.v1.OutcomeKind.OUTCOME_KIND_SENT, outcomes.get(0).getKind());
        assertEquals(org.parsepush.proto.v1.Reason.REASON_UNREGISTERED, outcomes.get(1).getReason());
        assertTrue(outcomes.get(1).getTokenRemoved(), "Parse needs to know the token is dead");
        assertEquals(org.parsepush.proto.v1.Reason.REASON_SENDER_ID_NOT_CONFIGURED, outcomes.get(2).getReason());
        assertEquals(org.parsepush.proto.v1.OutcomeKind.OUTCOME_KIND_SENT, outcomes.get(3).getKind());
        assertEquals(statusesBefore, mongo.database("testdb").getCollection("_PushStatus").countDocuments(),
                "Parse Server keeps the status of its pushes");
        assertTrue(fcm.accepted().stream().anyMatch(message -> message.token().equals("token-batch-ok")
                && message.message().at("/data/push_id").asText().equals("ParsePush01")));
    }

    @Test
    void a429WithRetryAfterIsHonouredAndThePushCompletesWithoutDuplicates() throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            android("q" + i, "token-quota-" + i, SENDER_ONE, "quota");
            tokens.add("token-quota-" + i);
        }
        int before = fcm.accepted().size();
        fcm.throttleNext(3, 1);

        PushStatus status = run(toChannel("quota", "{\"alert\":\"slowly\"}").build());

        assertEquals(5, status.getNumSent(), "failed: " + status.getFailedPerReasonMap());
        List<LocalFcm.Received> received = fcmSince(before);
        assertEquals(tokens.size(), received.size(), "no duplicates");
        assertEquals(Set.copyOf(tokens), received.stream().map(LocalFcm.Received::token).collect(Collectors.toSet()));
        Instant lastThrottle = fcm.throttledAt().get(fcm.throttledAt().size() - 1);
        Instant lastDelivery = received.stream().map(LocalFcm.Received::at).max(Instant::compareTo).orElseThrow();
        assertTrue(java.time.Duration.between(lastThrottle, lastDelivery).toMillis() >= 900,
                "the retry came before Retry-After: 1 had passed");
    }
}
