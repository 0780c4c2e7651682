package org.parsepush.gateway.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.MutableClock;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.apns.ApnsTestCertificates;
import org.parsepush.gateway.apns.MockApns;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.testing.TestCertificates;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.InstallationIds;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * PPNS devices through the gateway: a device client written for the tests speaks the
 * protocol over real TLS (trusting a throwaway CA) to the gateway's PPNS endpoint.
 */
class PpnsDeliveryTest {

    static final String TOPIC = "com.example.iot";
    static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static MockApns apns;
    static TestCertificates certificates;
    static MutableClock clock = new MutableClock(START);
    static TestGateway gateway;
    static EventLoopGroup devices;
    static final Set<String> appleTokens = new CopyOnWriteArraySet<>();
    MongoCollection<Document> installations;

    @BeforeAll
    static void start() throws Exception {
        mongo = TestMongo.start();
        certificates = TestCertificates.create(java.nio.file.Files.createDirectories(dir.resolve("ppns-certs")));
        Path trusted = dir.resolve("trusted.pem");
        Path p12 = ApnsTestCertificates.p12(dir, TOPIC, "iot-secret");
        ApnsTestCertificates.trust(p12, "iot-secret", trusted);
        apns = MockApns.validating(Map.of(TOPIC, appleTokens), Map.of(), trusted);
        gateway = gateway("replica-one", 500, clock);
        devices = PpnsDeviceClient.newEventLoopGroup(1);
    }

    static TestGateway gateway(String replica, int pollMillis, java.time.Clock clock) throws Exception {
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", trustedServerCaFile: "%s"}
                ppns: {port: 0, certificateChainFile: "%s", privateKeyFile: "%s", deliveryPollMillis: 50,
                       registryRefreshSeconds: 1}
                delivery: {statusFlushMillis: 50}
                jobs: {pollMillis: %d, replicaId: %s}
                """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCaIfAbsent(dir),
                certificates.certificateChain(), certificates.privateKey(), pollMillis, replica);
        String app = """
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: iot-secret}
                """.formatted(TOPIC, dir.resolve(TOPIC + ".p12"));
        Path data = dir.resolve(replica);
        return TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of(), clock);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        devices.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        apns.close();
        mongo.close();
    }

    @BeforeEach
    void clean() {
        clock.set(START);
        installations = mongo.database("testdb").getCollection("_Installation");
        installations.deleteMany(new Document());
        mongo.database("testdb").getCollection("push_gateway_ppns_inbox").deleteMany(new Document());
    }

    void embedded(String objectId, String installationId, String channel) {
        installations.insertOne(new Document("_id", objectId).append("installationId", installationId)
                .append("deviceType", "embedded").append("channels", List.of(channel))
                .append("_updated_at", Date.from(START)));
    }

    /** Connects and waits for the answer to the ping: the device is admitted. */
    TestDevice connect(int port, String installationId, String last) throws Exception {
        TestDevice device = TestDevice.connect(devices, port, certificates.caCertificate(),
                TestDevice.handshake(installationId, TestGateway.APP_ID, last));
        device.awaitPong();
        return device;
    }

    static SendPushRequest.Builder toChannel(String channel, String alert) {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder()
                .setChannels(Channels.newBuilder().addNames(channel))).setDataJson("{\"alert\":\"" + alert + "\"}");
    }

    static PushStatus run(SendPushRequest.Builder request) throws InterruptedException {
        return gateway.awaitFinished(gateway.send(request.build()), Duration.ofSeconds(20));
    }

    @Test
    void aConnectedDeviceReceivesPushesByChannelWhereAndInstallationId() throws Exception {
        embedded("emb1", "a1b2c3d4-live", "sensors");
        try (TestDevice device = connect(gateway.gateway().ppnsPort(), "a1b2c3d4-live", null)) {
            device.client().ping().get(5, TimeUnit.SECONDS);
            device.awaitPong();
            // Its (empty) replay is written: live pushes no longer wait for it.
            Await.until(Duration.ofSeconds(5), "no arrival pending", () -> gateway.admin("/metrics").body()
                    .lines().anyMatch(line -> line.equals("gateway_ppns_arrivals_pending 0.0")));

            PushStatus byChannel = run(toChannel("sensors", "by channel"));
            JsonNode push = device.nextPush(5000);
            assertNotNull(push, "the push by channel did not arrive");
            assertEquals("by channel", push.at("/data/alert").asText());
            assertEquals(byChannel.getPushId(), push.path("push_id").asText());
            assertTrue(push.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
            assertEquals(Map.of("embedded", 1L), byChannel.getSentPerTypeMap());
            assertEquals(1, byChannel.getPerProviderMap().get("ppns").getSent());

            run(SendPushRequest.newBuilder().setTarget(Target.newBuilder().setWhereJson("{\"deviceType\":\"embedded\"}"))
                    .setDataJson("{\"alert\":\"by where\"}"));
            assertEquals("by where", device.nextPush(5000).at("/data/alert").asText());

            run(SendPushRequest.newBuilder().setTarget(Target.newBuilder()
                    .setInstallationIds(InstallationIds.newBuilder().addIds("emb1"))).setDataJson("{\"alert\":\"by id\"}"));
            assertEquals("by id", device.nextPush(5000).at("/data/alert").asText());
            assertNull(device.nextPush(300), "a push arrived twice");
        }
    }

    @Test
    void pushesForAnOfflineDeviceArriveInOrderWhenItReconnectsSkippingExpiredAndSeenOnes() throws Exception {
        embedded("emb2", "e5f6-offline", "away");
        PushStatus first = run(toChannel("away", "first"));
        assertEquals(1, first.getNumQueued(), "an offline device's push is queued, not sent");
        assertEquals(0, first.getNumSent());
        clock.advance(Duration.ofSeconds(1));
        run(toChannel("away", "expires").setExpirationInterval(com.google.protobuf.Duration.newBuilder().setSeconds(60)));
        clock.advance(Duration.ofSeconds(1));
        PushStatus seen = run(toChannel("away", "already seen"));
        clock.advance(Duration.ofSeconds(1));
        run(toChannel("away", "second"));
        clock.advance(Duration.ofMinutes(5)); // the expiring push is now past its expiration

        String handshake = "{\"installation_id\":\"e5f6-offline\",\"oauth_key\":\"" + TestGateway.APP_ID
                + "\",\"v\":\"a1.17.0\",\"last\":null,\"last_seen\":[\"" + seen.getPushId() + "\"]}";
        String last;
        try (TestDevice device = TestDevice.connect(devices, gateway.gateway().ppnsPort(),
                certificates.caCertificate(), handshake)) {
            List<JsonNode> pushes = device.pushesWithin(1500);
            assertEquals(List.of("first", "second"), pushes.stream().map(push -> push.at("/data/alert").asText()).toList());
            last = device.client().lastPushTime();
        }
        try (TestDevice again = connect(gateway.gateway().ppnsPort(), "e5f6-offline", last)) {
            assertEquals(List.of(), again.pushesWithin(700), "nothing arrives twice");
        }
    }

    @Test
    void aPushSentInTheSameMillisecondAsTheLastOneSeenStillArrivesAfterAReconnect() throws Exception {
        embedded("emb-same", "same-ms-device", "same-ms");
        String last;
        try (TestDevice device = connect(gateway.gateway().ppnsPort(), "same-ms-device", null)) {
            run(toChannel("same-ms", "one"));
            assertEquals("one", device.nextPush(5000).at("/data/alert").asText());
            last = device.client().lastPushTime();
        }
        // The test clock has not moved: this push is sent in the same millisecond as the first.
        run(toChannel("same-ms", "two"));

        try (TestDevice again = connect(gateway.gateway().ppnsPort(), "same-ms-device", last)) {
            assertEquals(List.of("two"), again.pushesWithin(1500).stream()
                    .map(push -> push.at("/data/alert").asText()).toList());
        }
    }

    @Test
    void unknownAppsAndInstallationsAreTurnedAwayAndCounted() throws Exception {
        try (TestDevice stranger = TestDevice.attempt(devices, gateway.gateway().ppnsPort(),
                certificates.caCertificate(), TestDevice.handshake("nobody-knows-me", TestGateway.APP_ID, null));
             TestDevice wrongApp = TestDevice.attempt(devices, gateway.gateway().ppnsPort(),
                     certificates.caCertificate(), TestDevice.handshake("whoever", "no-such-app", null))) {
            assertTrue(stranger.closedWithin(5000), "an unknown installation stayed connected");
            assertTrue(wrongApp.closedWithin(5000), "an unknown app id stayed connected");
        }
        String metrics = gateway.admin("/metrics").body();
        assertTrue(metrics.matches("(?s).*ppns_handshakes_total\\{[^}]*outcome=\"unknown_installation\"[^}]*} [1-9].*"),
                metrics);
        assertTrue(metrics.matches("(?s).*ppns_handshakes_total\\{[^}]*outcome=\"unknown_app\"[^}]*} [1-9].*"), metrics);
    }

    @Test
    void aPushOverTheLineLimitFailsForPpnsDevicesAndStillReachesAppleDevices() throws Exception {
        embedded("emb3", "big-push-device", "big");
        String appleToken = String.format("%064x", 0xb16L);
        appleTokens.add(appleToken);
        installations.insertOne(new Document("_id", "ios3").append("deviceType", "ios").append("deviceToken", appleToken)
                .append("channels", List.of("big")));
        int before = apns.accepted().size();
        try (TestDevice device = connect(gateway.gateway().ppnsPort(), "big-push-device", null)) {
            PushStatus status = run(toChannel("big", "x".repeat(1500)));
            assertEquals(Map.of("payload_too_large", 1L), status.getFailedPerReasonMap());
            assertEquals(Map.of("ios", 1L), status.getSentPerTypeMap());
            assertEquals(appleToken, apns.accepted().get(before).token());
            assertNull(device.nextPush(500), "a line over the limit was sent");
        }
    }

    @Test
    void aDeviceConnectedToAnotherReplicaReceivesAPushWhoseJobRunsHere() throws Exception {
        embedded("emb4", "roaming-device", "roam");
        // The other replica hardly ever looks for jobs, so this one runs the push.
        try (TestGateway other = gateway("replica-two", 60_000, clock);
             TestDevice device = connect(other.gateway().ppnsPort(), "roaming-device", null)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (mongo.database("testdb").getCollection("push_gateway_ppns_connections")
                    .countDocuments(new Document("_id", "roaming-device")) == 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            PushStatus status = run(toChannel("roam", "across replicas"));
            JsonNode push = device.nextPush(5000);
            assertNotNull(push, "the push did not cross to the replica holding the connection");
            assertEquals("across replicas", push.at("/data/alert").asText());
            assertEquals("replica-one", mongo.database("testdb").getCollection("push_gateway_jobs")
                    .find(new Document("_id", status.getPushId())).first().getString("leaseOwner"));
            assertEquals(1, status.getNumSent(), "written by the other replica: counted as sent");
            assertNull(device.nextPush(500), "the push arrived twice");
        }
    }

    @Test
    void aDirectoryEntryThatOutlivedItsConnectionIsLetGoAtTheNextRefresh() throws Exception {
        embedded("emb5", "present-device", "present");
        MongoCollection<Document> directory = mongo.database("testdb").getCollection("push_gateway_ppns_connections");
        try (TestDevice device = connect(gateway.gateway().ppnsPort(), "present-device", null)) {
            Await.until(Duration.ofSeconds(10), "the connected device's directory entry",
                    () -> directory.countDocuments(new Document("_id", "present-device")) == 1);
            // As if this replica had lost the departure's write while the database was away.
            directory.insertOne(new Document("_id", "departed-device").append("replica", "replica-one")
                    .append("refreshedAt", Date.from(clock.instant())));

            Await.until(Duration.ofSeconds(10), "the entry of the device no longer connected is removed",
                    () -> directory.countDocuments(new Document("_id", "departed-device")) == 0);
            assertEquals("replica-one", directory.find(new Document("_id", "present-device")).first()
                    .getString("replica"), "the connected device's entry went too");
        }
    }
}
