package org.parsepush.gateway.job;

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
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.apns.ApnsTestCertificates;
import org.parsepush.gateway.apns.MockApns;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;
import org.parsepush.proto.v1.Throttle;

/** Two gateways on one database: a job runs once, and survives the replica that held it. */
class TwoReplicasTest {

    static final String TOPIC = "com.example.replicas";
    static final int WINDOW = 10;

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static MockApns apns;
    static Path p12;
    static String ca;
    MongoCollection<Document> installations;

    @BeforeAll
    static void start() throws Exception {
        mongo = TestMongo.start();
        Path trusted = dir.resolve("trusted.pem");
        p12 = ApnsTestCertificates.p12(dir, TOPIC, "replica-secret");
        ApnsTestCertificates.trust(p12, "replica-secret", trusted);
        apns = MockApns.acceptingAll(trusted);
        ca = MockApns.writeServerCa(dir).toString();
    }

    @AfterAll
    static void stop() throws Exception {
        apns.close();
        mongo.close();
    }

    @BeforeEach
    void clean() {
        installations = mongo.database("testdb").getCollection("_Installation");
        installations.deleteMany(new Document());
    }

    static TestGateway replica(String name) throws Exception {
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", trustedServerCaFile: "%s", maxInFlightPerCredential: %d}
                delivery: {batchSize: 5, statusFlushMillis: 50}
                jobs: {pollMillis: 50, replicaId: %s}
                """.formatted(mongo.uri(), apns.address(), ca, WINDOW, name);
        String app = """
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: replica-secret}
                """.formatted(TOPIC, p12);
        Path data = dir.resolve(name);
        return TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of());
    }

    List<String> seed(String channel, int count) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String token = String.format("%s%058x", "cafe00", channel.hashCode() * 1000L + i);
            tokens.add(token);
            installations.insertOne(new Document("_id", String.format("%s-%03d", channel, i)).append("deviceType", "ios")
                    .append("deviceToken", token).append("channels", List.of(channel)).append("_updated_at", new Date()));
        }
        return tokens;
    }

    static SendPushRequest.Builder toChannel(String channel) {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder()
                .setChannels(Channels.newBuilder().addNames(channel))).setDataJson("{\"alert\":\"" + channel + "\"}");
    }

    static List<String> receivedSince(int before) {
        return apns.accepted().subList(before, apns.accepted().size()).stream().map(MockApns.Received::token).toList();
    }

    @Test
    void aJobIsExecutedByOneReplicaOnly() throws Exception {
        List<String> tokens = seed("once", 60);
        int before = apns.accepted().size();
        try (TestGateway a = replica("replica-a"); TestGateway b = replica("replica-b")) {
            String pushId = a.send(toChannel("once").build());
            PushStatus status = b.awaitFinished(pushId, Duration.ofSeconds(30));
            TimeUnit.MILLISECONDS.sleep(300); // a second replica running it too would still be sending
            assertEquals(60, status.getNumSent());
            List<String> received = receivedSince(before);
            assertEquals(tokens.size(), received.size(), "some device received the push twice");
            assertEquals(Set.copyOf(tokens), Set.copyOf(received));
        }
    }

    @Test
    void whenTheReplicaHoldingTheLeaseStopsTheOtherFinishesTheJob() throws Exception {
        List<String> tokens = seed("takeover", 60);
        int before = apns.accepted().size();
        TestGateway a = replica("replica-c");
        TestGateway b = replica("replica-d");
        try {
            String pushId = a.send(toChannel("takeover").setThrottle(Throttle.newBuilder().setDevicesPerSecond(12)).build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (apns.accepted().size() - before < 10 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            String owner = mongo.database("testdb").getCollection("push_gateway_jobs")
                    .find(new Document("_id", pushId)).first().getString("leaseOwner");
            TestGateway holder = owner.equals("replica-c") ? a : b;
            TestGateway other = holder == a ? b : a;
            holder.close();
            int atStop = apns.accepted().size() - before;

            PushStatus status = other.awaitFinished(pushId, Duration.ofSeconds(30));
            List<String> received = receivedSince(before);
            assertTrue(atStop < tokens.size(), "the job ended before the replica stopped; nothing was taken over");
            assertEquals(PushState.PUSH_STATE_SUCCEEDED, status.getState());
            assertEquals(Set.copyOf(tokens), new HashSet<>(received), "some device never received the push");
            int duplicates = received.size() - tokens.size();
            assertTrue(duplicates <= WINDOW, duplicates + " devices received it twice; at most one window ("
                    + WINDOW + ") may");
            assertEquals(tokens.size(), status.getNumSent(), "re-sent devices must not be counted twice");
        } finally {
            a.close();
            b.close();
        }
    }
}
