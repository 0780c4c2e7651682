package org.parsepush.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.apns.ApnsTestCertificates;
import org.parsepush.gateway.apns.FaultyApns;
import org.parsepush.gateway.apns.MockApns;
import org.parsepush.proto.v1.CancelPushRequest;
import org.parsepush.proto.v1.Device;
import org.parsepush.proto.v1.Devices;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * Small pushes beyond the free small-push slots wait on the replica that accepted them, their
 * jobs stored held by it before SendPush answers: none goes through the database queue (no
 * claim), a cancelled or taken-over one is not sent, and a replica that stops with pushes
 * waiting leaves them to another. Real driver to mongo-java-server over TCP, real gRPC, an
 * APNs stand-in that holds its answers while the test wants every slot busy.
 */
class SmallPushQueueTest {

    static final String TOPIC = "com.example.small";
    static final int SLOTS = 2;

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static FaultyApns apns;
    static Path p12;
    static Path ca;
    static int sequence;

    @BeforeAll
    static void start() throws Exception {
        mongo = TestMongo.start();
        apns = FaultyApns.start();
        p12 = ApnsTestCertificates.p12(dir, TOPIC, "small-secret");
        ca = MockApns.writeServerCa(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        apns.close();
        mongo.close();
    }

    @BeforeEach
    void reset() {
        apns.reset();
    }

    static TestGateway replica(String name) throws Exception {
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", trustedServerCaFile: "%s"}
                delivery: {maxConcurrentSmallPushes: %d, maxQueuedSmallPushes: 100, statusFlushMillis: 50}
                jobs: {pollMillis: 50, replicaId: %s}
                """.formatted(mongo.uri(), apns.address(), ca, SLOTS, name);
        String app = """
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: small-secret}
                """.formatted(TOPIC, p12);
        Path data = dir.resolve(name);
        return TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of());
    }

    static String newToken() {
        return String.format("5ca1ab1e%056x", ++sequence);
    }

    static SendPushRequest toDevice(String token) {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder().setDevices(Devices.newBuilder()
                .addDevices(Device.newBuilder().setDeviceType("ios").setDeviceToken(token))))
                .setDataJson("{\"alert\":\"your order shipped\"}").build();
    }

    /** Sends one push per token; returns push id to token. */
    static Map<String, String> sendEach(TestGateway gateway, List<String> tokens) {
        Map<String, String> tokenByPush = new HashMap<>();
        for (String token : tokens) {
            tokenByPush.put(gateway.send(toDevice(token)), token);
        }
        return tokenByPush;
    }

    static List<String> tokens(int count) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tokens.add(newToken());
        }
        return tokens;
    }

    /** Fills every small-push slot with a push whose answer APNs holds back. */
    static void fillSlots(TestGateway gateway) throws InterruptedException {
        apns.stallAll();
        sendEach(gateway, tokens(SLOTS));
        Await.until(Duration.ofSeconds(10), "both slots busy sending", () -> apns.heldStreams() == SLOTS);
    }

    /** Fills the slots, then sends a push to {@code token} that has to wait for one; its id. */
    static String sendBehindFullSlots(TestGateway gateway, String token) throws InterruptedException {
        fillSlots(gateway);
        return gateway.send(toDevice(token));
    }

    static MongoCollection<Document> jobs() {
        return mongo.database("testdb").getCollection("push_gateway_jobs");
    }

    /** A counter or gauge from the replica's Prometheus page. */
    static double metric(TestGateway gateway, String name) {
        for (String line : gateway.admin("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " is not among the metrics");
    }

    @Test
    void pushesBeyondTheSlotsWaitHereStoredHeldAndAreAllDeliveredWithoutAClaim() throws Exception {
        try (TestGateway gateway = replica("queue-a")) {
            apns.stallAll();
            List<String> tokens = tokens(50);
            Map<String, String> tokenByPush = sendEach(gateway, tokens);

            Await.until(Duration.ofSeconds(10), "both slots busy", () -> apns.heldStreams() == SLOTS);
            assertEquals(50 - SLOTS, metric(gateway, "gateway_push_small_waiting"));
            for (String pushId : tokenByPush.keySet()) {
                Document job = jobs().find(new Document("_id", pushId)).first();
                assertNotNull(job, "an accepted push has its job stored before SendPush answers");
                assertEquals("queue-a", job.getString("leaseOwner"), "stored already held by the accepting replica");
                assertEquals("running", job.getString("state"));
            }

            apns.clear();
            assertSucceededAndDeliveredOnce(gateway, tokenByPush.keySet(), tokens);
            assertEquals(0, metric(gateway, "gateway_push_jobs_claimed_total"), "a push went through a claim");
            assertEquals(0, metric(gateway, "gateway_push_small_waiting"));
            assertEquals(0, jobs().countDocuments(new Document("_id", new Document("$in",
                    List.copyOf(tokenByPush.keySet())))), "a finished small push keeps no job");
        }
    }

    @Test
    void aWaitingPushCancelledIsNotSentAndEndsCancelled() throws Exception {
        try (TestGateway gateway = replica("queue-b")) {
            String token = newToken();
            String waiting = sendBehindFullSlots(gateway, token);
            var api = gateway.authenticated(PushServiceGrpc.newBlockingStub(gateway.channel()));
            assertEquals(PushState.PUSH_STATE_CANCELLED, api.cancelPush(CancelPushRequest.newBuilder()
                    .setPushId(waiting).build()).getStatus().getState());

            apns.clear();
            String after = gateway.send(toDevice(newToken()));
            gateway.awaitFinished(after, Duration.ofSeconds(20)); // waited behind the cancelled one
            var status = gateway.awaitFinished(waiting, Duration.ofSeconds(5));
            assertEquals(PushState.PUSH_STATE_CANCELLED, status.getState());
            assertEquals(0, status.getNumSent());
            assertFalse(apns.triesByToken().containsKey(token), "the cancelled push reached APNs");
        }
    }

    @Test
    void aWaitingPushTakenOverMeanwhileIsNotSentHere() throws Exception {
        try (TestGateway gateway = replica("queue-c")) {
            String token = newToken();
            String waiting = sendBehindFullSlots(gateway, token);
            // As if its lease had run out and another replica had claimed it.
            jobs().updateOne(new Document("_id", waiting), new Document("$set",
                    new Document("leaseOwner", "replica-elsewhere")));

            apns.clear();
            gateway.awaitFinished(gateway.send(toDevice(newToken())), Duration.ofSeconds(20));
            assertFalse(apns.triesByToken().containsKey(token), "sent by a replica that no longer held it");
            assertEquals("replica-elsewhere", jobs().find(new Document("_id", waiting)).first()
                    .getString("leaseOwner"));
        }
    }

    @Test
    void aReplicaStoppedWithPushesWaitingLeavesThemToAnother() throws Exception {
        List<String> waitingTokens = tokens(8);
        Map<String, String> waiting;
        try (TestGateway first = replica("queue-d")) {
            fillSlots(first);
            waiting = sendEach(first, waitingTokens);
            assertEquals(waitingTokens.size(), metric(first, "gateway_push_small_waiting"));
        }
        for (String pushId : waiting.keySet()) {
            Document job = jobs().find(new Document("_id", pushId)).first();
            assertNotNull(job, "a waiting push lost its job at shutdown");
            assertEquals("running", job.getString("state"));
            assertTrue(job.getDate("leaseUntil").getTime() == 0, "let go at shutdown, not left to its lease");
        }
        assertTrue(apns.triesByToken().keySet().stream().noneMatch(waitingTokens::contains),
                "a waiting push was sent by the replica that stopped");

        apns.clear();
        try (TestGateway second = replica("queue-e")) {
            assertSucceededAndDeliveredOnce(second, waiting.keySet(), waitingTokens);
            assertNull(jobs().find(new Document("_id", waiting.keySet().iterator().next())).first());
        }
    }

    /** Every push succeeded (as {@code gateway} reports it) and each token got exactly one notification. */
    private static void assertSucceededAndDeliveredOnce(TestGateway gateway, Collection<String> pushIds,
                                                        Collection<String> tokens) throws InterruptedException {
        for (String pushId : pushIds) {
            assertEquals(PushState.PUSH_STATE_SUCCEEDED, gateway.awaitFinished(pushId, Duration.ofSeconds(20)).getState());
        }
        Map<String, Integer> delivered = apns.deliveredByToken();
        for (String token : tokens) {
            assertEquals(1, delivered.getOrDefault(token, 0), "delivered once to " + token);
        }
    }
}
