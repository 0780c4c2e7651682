package org.parsepush.gateway.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoDatabase;
import io.netty.channel.EventLoopGroup;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.apns.ApnsTestCertificates;
import org.parsepush.gateway.apns.MockApns;
import org.parsepush.gateway.audience.Audience;
import org.parsepush.gateway.audience.AudienceCursor;
import org.parsepush.gateway.audience.Target;
import org.parsepush.gateway.fcm.LocalFcm;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.PpnsDeviceClient;

/**
 * The real Parse Server 9.10.0 (from npm) and the gateway on one mongo-java-server: Parse's
 * REST push through the gateway's adapter, Parse's scheduled pushes run by the gateway, the
 * gateway's REST API against Parse's, and audience resolution against Parse's own queries.
 */
class ParseServerEndToEndTest {

    static final String TOPIC = "com.example.parse";
    static final String SENDER = "333333333333";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static MockApns apns;
    static LocalFcm fcm;
    static TestGateway gateway;
    static ParseServerProcess parse;
    static ParseServerProcess scheduling;
    static EventLoopGroup devices;
    static final Set<String> appleTokens = new CopyOnWriteArraySet<>();

    @BeforeAll
    static void start() throws Exception {
        mongo = TestMongo.start();
        fcm = LocalFcm.start();
        Path trusted = dir.resolve("trusted.pem");
        Path p12 = ApnsTestCertificates.p12(dir, TOPIC, "parse-secret");
        ApnsTestCertificates.trust(p12, "parse-secret", trusted);
        apns = MockApns.validating(Map.of(TOPIC, appleTokens), Map.of(), trusted);
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", trustedServerCaFile: "%s"}
                fcm: {endpoint: "%s"}
                delivery: {statusFlushMillis: 50}
                jobs: {pollMillis: 100, parseScheduledPollMillis: 200}
                """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir), fcm.endpoint());
        String app = """
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: parse-secret}
                    fcm:
                      - {senderId: "%s", serviceAccountFile: "%s"}
                """.formatted(TOPIC, p12, SENDER, fcm.writeServiceAccount(dir, "parse-project"));
        Path data = dir.resolve("gateway");
        gateway = TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of());
        Map<String, String> env = Map.of("PARSE_MONGO_URI", mongo.uri() + "/testdb",
                "GATEWAY_ADDRESS", "127.0.0.1:" + gateway.gateway().grpcPort(),
                "PARSE_SERVER_CLEANUP_INVALID_INSTALLATIONS", "1", "PARSE_SCHEDULED_PUSH", "false");
        parse = ParseServerProcess.start(env, TestGateway.APP_ID, TestGateway.MASTER_KEY);
        Map<String, String> scheduledEnv = new java.util.HashMap<>(env);
        scheduledEnv.put("PARSE_SCHEDULED_PUSH", "true");
        scheduling = ParseServerProcess.start(scheduledEnv, TestGateway.APP_ID, TestGateway.MASTER_KEY);
        devices = PpnsDeviceClient.newEventLoopGroup(1);
        seedThroughParse();
    }

    @AfterAll
    static void stop() throws Exception {
        if (parse != null) {
            parse.close();
        }
        if (scheduling != null) {
            scheduling.close();
        }
        if (devices != null) {
            devices.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        gateway.close();
        apns.close();
        fcm.close();
        mongo.close();
    }

    static String appleToken(int n) {
        String token = String.format("%064x", 0xa1a1a1L + n);
        appleTokens.add(token);
        return token;
    }

    static final String DEAD_TOKEN = String.format("%064x", 0xdeadL);
    static String vipUser;

    /** Installations and users created through Parse's REST API, as apps create them. */
    static void seedThroughParse() throws Exception {
        vipUser = parse.create("users", "{\"username\":\"vip\",\"password\":\"pw-123456\",\"vip\":true}")
                .path("objectId").asText();
        String otherUser = parse.create("users", "{\"username\":\"other\",\"password\":\"pw-123456\",\"vip\":false}")
                .path("objectId").asText();
        String pointer = "{\"__type\":\"Pointer\",\"className\":\"_User\",\"objectId\":\"%s\"}";
        parse.create("installations", "{\"deviceType\":\"ios\",\"deviceToken\":\"" + appleToken(1)
                + "\",\"channels\":[\"news\"],\"appIdentifier\":\"" + TOPIC + "\",\"badge\":2,\"timeZone\":\"Europe/Paris\","
                + "\"user\":" + pointer.formatted(vipUser) + ",\"installationId\":\"0000-ios-1\"}");
        parse.create("installations", "{\"deviceType\":\"ios\",\"deviceToken\":\"" + DEAD_TOKEN
                + "\",\"channels\":[\"news\"],\"appIdentifier\":\"" + TOPIC + "\",\"installationId\":\"0000-ios-dead\"}");
        parse.create("installations", "{\"deviceType\":\"android\",\"pushType\":\"gcm\",\"deviceToken\":\"fcm-parse-1\","
                + "\"GCMSenderId\":\"" + SENDER + "\",\"channels\":[\"news\",\"sports\"],\"badge\":7,"
                + "\"user\":" + pointer.formatted(otherUser) + ",\"installationId\":\"0000-android-1\"}");
        parse.create("installations", "{\"deviceType\":\"embedded\",\"channels\":[\"news\"],"
                + "\"installationId\":\"0000-embedded-1\"}");
        parse.create("installations", "{\"deviceType\":\"ios\",\"deviceToken\":\"" + appleToken(2)
                + "\",\"channels\":[\"sports\"],\"appIdentifier\":\"" + TOPIC + "\",\"localeIdentifier\":\"fr-FR\","
                + "\"installationId\":\"0000-ios-2\"}");
    }

    static Document parseStatus(String pushId) throws InterruptedException {
        var statuses = mongo.database("testdb").getCollection("_PushStatus");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Document status;
        do {
            status = statuses.find(new Document("_id", pushId)).first();
            if (status != null && Set.of("succeeded", "failed").contains(status.getString("status"))) {
                return status;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("Parse's push " + pushId + " did not finish: " + status);
    }

    @Test
    void aPushThroughParseServerReachesApnsFcmAndPpnsDevicesAndParseCleansTheDeadToken() throws Exception {
        apns.refuse(DEAD_TOKEN, com.eatthepath.pushy.apns.server.RejectionReason.UNREGISTERED);
        int apnsBefore = apns.accepted().size();
        int fcmBefore = fcm.accepted().size();
        try (var device = PpnsDeviceClient.connect(devices, DeviceEndpoint.plainTcp("127.0.0.1",
                gateway.gateway().ppnsPort()), line -> ppnsLines.add(line)).get(10, TimeUnit.SECONDS)) {
            device.handshake("0000-embedded-1", TestGateway.APP_ID, null).get(5, TimeUnit.SECONDS);
            HttpResponse<String> response = parse.call("POST", "/push",
                    "{\"channels\":[\"news\"],\"data\":{\"alert\":\"through Parse\"}}");
            assertEquals(200, response.statusCode(), response.body());
            String pushId = response.headers().firstValue("X-Parse-Push-Status-Id").orElseThrow();
            Document status = parseStatus(pushId);

            assertEquals("succeeded", status.getString("status"));
            assertEquals(2, ((Number) status.get("numSent")).intValue(), status.toJson());
            assertEquals(1, ((Number) status.get("numFailed")).intValue(), status.toJson());
            assertEquals(1, ((Number) status.get("sentPerType", Document.class).get("ios")).intValue());
            assertEquals(1, ((Number) status.get("sentPerType", Document.class).get("android")).intValue());
            assertTrue(apns.accepted().subList(apnsBefore, apns.accepted().size()).stream()
                    .anyMatch(received -> received.token().equals(appleToken(1))));
            assertTrue(fcm.accepted().subList(fcmBefore, fcm.accepted().size()).stream()
                    .anyMatch(received -> received.token().equals("fcm-parse-1")));
            awaitTrue(() -> ppnsLines.stream().anyMatch(line -> line.contains("through Parse")),
                    "the embedded device (which Parse never hands to adapters) did not get the push");
            awaitTrue(() -> mongo.database("testdb").getCollection("_Installation")
                    .countDocuments(new Document("deviceToken", DEAD_TOKEN)) == 0,
                    "Parse's own cleanup did not remove the unregistered token");
            assertEquals(1, mongo.database("testdb").getCollection("_PushStatus")
                    .countDocuments(new Document("_id", pushId)), "the gateway must not add a status of its own");
        }
    }

    static final List<String> ppnsLines = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void aPushParseServerOnlySchedulesIsSentByTheGatewayWhenDue() throws Exception {
        int fcmBefore = fcm.accepted().size();
        String pushTime = Instant.now().plusSeconds(3).toString();
        HttpResponse<String> response = scheduling.call("POST", "/push", "{\"channels\":[\"sports\"],"
                + "\"data\":{\"alert\":\"later, from Parse\"},\"push_time\":\"" + pushTime + "\"}");
        assertEquals(200, response.statusCode(), response.body());
        String pushId = response.headers().firstValue("X-Parse-Push-Status-Id").orElseThrow();
        Document recorded = mongo.database("testdb").getCollection("_PushStatus").find(new Document("_id", pushId)).first();
        assertNotNull(recorded);
        assertEquals("scheduled", recorded.getString("status"), "Parse Server only records it");

        Document status = parseStatus(pushId);
        assertEquals("succeeded", status.getString("status"));
        assertEquals(2, ((Number) status.get("numSent")).intValue(), status.toJson());
        List<LocalFcm.Received> sent = fcm.accepted().subList(fcmBefore, fcm.accepted().size());
        assertEquals(1, sent.size());
        assertTrue(!sent.get(0).at().isBefore(Instant.parse(pushTime)), "sent before its push time");
    }

    @Test
    void theGatewaysRestApiAnswersLikeParseServer() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"both channels and where", "{\"channels\":[\"a\"],\"where\":{},\"data\":{\"alert\":\"x\"}}"},
                new String[] {"both expirations", "{\"where\":{},\"data\":{\"alert\":\"x\"},"
                        + "\"expiration_time\":\"2030-01-01T00:00:00.000Z\",\"expiration_interval\":60}"},
                new String[] {"no audience", "{\"data\":{\"alert\":\"x\"}}"},
                new String[] {"bad interval", "{\"where\":{},\"data\":{\"alert\":\"x\"},\"expiration_interval\":-1}"});
        for (String[] invalid : cases) {
            assertSameAnswer(invalid[0], parse.call("POST", "/push", invalid[1]), gatewayRest(invalid[1], true));
        }
        String body = "{\"channels\":[\"a\"],\"data\":{\"alert\":\"x\"}}";
        assertSameAnswer("missing master key", parse.call("POST", "/push", body,
                Map.of("X-Parse-Application-Id", TestGateway.APP_ID)), gatewayRest(body, false));
        HttpResponse<String> accepted = gatewayRest("{\"channels\":[\"nobody\"],\"data\":{\"alert\":\"x\"}}", true);
        assertEquals(200, accepted.statusCode());
        assertEquals("{\"result\":true}", accepted.body());
    }

    static HttpResponse<String> gatewayRest(String body, boolean withMasterKey) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + gateway.gateway().restPort() + "/parse/push"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("X-Parse-Application-Id", TestGateway.APP_ID);
        if (withMasterKey) {
            request.header("X-Parse-Master-Key", TestGateway.MASTER_KEY);
        }
        return java.net.http.HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertSameAnswer(String what, HttpResponse<String> parseAnswer, HttpResponse<String> gatewayAnswer)
            throws Exception {
        assertEquals(parseAnswer.statusCode(), gatewayAnswer.statusCode(), what + ": Parse said " + parseAnswer.body()
                + ", the gateway " + gatewayAnswer.body());
        JsonNode expected = JSON.readTree(parseAnswer.body());
        JsonNode actual = JSON.readTree(gatewayAnswer.body());
        assertEquals(expected.path("code"), actual.path("code"), what + ": Parse said " + parseAnswer.body()
                + ", the gateway " + gatewayAnswer.body());
    }

    static Stream<String> whereCorpus() {
        String vip = "{\"__type\":\"Pointer\",\"className\":\"_User\",\"objectId\":\"%s\"}";
        return Stream.of(
                "{}",
                "{\"deviceType\":\"ios\"}",
                "{\"channels\":\"news\"}",
                "{\"channels\":{\"$in\":[\"sports\",\"none\"]}}",
                "{\"channels\":{\"$in\":[]}}",
                "{\"channels\":{\"$nin\":[\"news\"]}}",
                "{\"channels\":{\"$all\":[\"news\",\"sports\"]}}",
                "{\"deviceToken\":{\"$exists\":false}}",
                "{\"deviceType\":{\"$ne\":\"ios\"}}",
                "{\"badge\":{\"$gt\":1,\"$lte\":7}}",
                "{\"badge\":{\"$gte\":3}}",
                "{\"localeIdentifier\":{\"$eq\":\"fr-FR\"}}",
                "{\"installationId\":{\"$regex\":\"^0000-IOS\",\"$options\":\"i\"}}",
                "{\"createdAt\":{\"$gte\":{\"__type\":\"Date\",\"iso\":\"2000-01-01T00:00:00.000Z\"}}}",
                "{\"updatedAt\":{\"$lt\":{\"__type\":\"Date\",\"iso\":\"2000-01-01T00:00:00.000Z\"}}}",
                "{\"$or\":[{\"deviceType\":\"embedded\"},{\"badge\":{\"$gte\":7}}]}",
                "{\"$and\":[{\"channels\":\"news\"},{\"deviceType\":\"ios\"}]}",
                "{\"$or\":[{\"$and\":[{\"deviceType\":\"ios\"},{\"badge\":2}]},{\"pushType\":\"gcm\"}]}",
                "{\"user\":" + vip.formatted(vipUser) + "}",
                "{\"user\":{\"$in\":[" + vip.formatted(vipUser) + "]}}",
                "{\"user\":{\"$exists\":true}}",
                "{\"user\":{\"$inQuery\":{\"className\":\"_User\",\"where\":{\"vip\":true}}}}",
                "{\"user\":{\"$notInQuery\":{\"className\":\"_User\",\"where\":{\"vip\":true}}}}",
                "{\"timeZone\":{\"$exists\":true},\"channels\":{\"$in\":[\"news\"]}}");
    }

    @Test
    void audienceResolutionMatchesParseServersOwnQueries() throws Exception {
        MongoDatabase database = mongo.database("testdb");
        Audience audience = new Audience(database, 100, 1000);
        List<String> differences = new ArrayList<>();
        for (String where : whereCorpus().toList()) {
            Set<String> expected = parse.installationIds(where);
            Set<String> actual = new TreeSet<>();
            try (AudienceCursor cursor = audience.open(audience.resolve(new Target.Where(Audience.parse(where, "where"))),
                    null)) {
                cursor.forEachRemaining(installation -> actual.add(installation.objectId()));
            }
            if (!expected.equals(actual)) {
                differences.add(where + ": Parse " + expected + ", gateway " + actual);
            }
        }
        assertTrue(differences.isEmpty(), String.join("\n", differences));
        assertTrue(Files.isDirectory(ParseServerProcess.ADAPTER));
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertTrue(condition.getAsBoolean(), message);
    }
}
