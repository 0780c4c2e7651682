package org.parsepush.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.GatewayProcess;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.apns.ApnsTestCertificates;
import org.parsepush.gateway.apns.MockApns;
import org.parsepush.gateway.config.DeliverySettings;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * The gateway process is killed (SIGKILL) in the middle of a large push and started again:
 * every device gets the push, and no more devices get it twice than may be sent ahead of the
 * checkpoint: {@code delivery.uncommittedWindows} (by default two) in-flight windows.
 */
class KillAndRestartTest {

    static final String TOPIC = "com.example.restart";
    static final int AUDIENCE = 20_000;
    static final int WINDOW = 500;
    /** What a crash may send twice with the default {@code delivery.uncommittedWindows}. */
    static final int UNCOMMITTED = new DeliverySettings().uncommittedWindows() * WINDOW;

    @TempDir
    Path dir;

    @Test
    void aKilledGatewayResumesThePushFromItsCheckpoint() throws Exception {
        try (TestMongo mongo = TestMongo.start()) {
            seed(mongo.database("testdb").getCollection("_Installation"));
            Path trusted = dir.resolve("trusted.pem");
            Path p12 = ApnsTestCertificates.p12(dir, TOPIC, "restart-secret");
            ApnsTestCertificates.trust(p12, "restart-secret", trusted);
            try (MockApns apns = MockApns.acceptingAll(trusted)) {
                Path config = dir.resolve("gateway.yaml");
                Files.writeString(config, TestGateway.yaml(dir.resolve("data"), """
                        mongo: {uri: "%s"}
                        apns: {productionServer: "%s", trustedServerCaFile: "%s", maxInFlightPerCredential: %d}
                        delivery: {batchSize: 250}
                        jobs: {leaseSeconds: 3, pollMillis: 100}
                        """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir), WINDOW), """
                            apns:
                              - {topic: %s, p12File: "%s", p12Password: restart-secret}
                        """.formatted(TOPIC, p12)));

                String pushId;
                int atKill;
                try (GatewayProcess first = GatewayProcess.start(config, Map.of())) {
                    int port = grpcPort(first);
                    pushId = call(port, stub -> stub.sendPush(SendPushRequest.newBuilder()
                            .setTarget(Target.newBuilder().setChannels(Channels.newBuilder().addNames("all")))
                            .setDataJson("{\"alert\":\"survive me\"}").build()).getPushId());
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (apns.accepted().size() < AUDIENCE / 4 && System.nanoTime() < deadline) {
                        TimeUnit.MILLISECONDS.sleep(5);
                    }
                    first.kill();
                    atKill = apns.accepted().size();
                }
                assertTrue(atKill < AUDIENCE, "the push finished before the kill; nothing was resumed");

                PushStatus status;
                try (GatewayProcess second = GatewayProcess.start(config, Map.of())) {
                    int port = grpcPort(second);
                    status = awaitFinished(port, pushId);
                }
                int received = apns.accepted().size();
                int distinct = apns.acceptedByToken().size();
                int duplicates = received - distinct;
                System.out.printf("kill-and-restart: %d sent before the kill, %d received in all, %d distinct,"
                        + " %d received twice (at most %d)%n", atKill, received, distinct, duplicates, UNCOMMITTED);
                assertEquals(PushState.PUSH_STATE_SUCCEEDED, status.getState());
                assertEquals(AUDIENCE, distinct, "some device never received the push");
                assertTrue(duplicates <= UNCOMMITTED, duplicates + " devices received it twice; at most " + UNCOMMITTED);
                assertEquals(AUDIENCE, status.getNumSent(), "re-sent devices must not be counted twice");
            }
        }
    }

    private static void seed(MongoCollection<Document> installations) {
        Date now = new Date();
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < AUDIENCE; i++) {
            batch.add(new Document("_id", String.format("K%08d", i)).append("deviceType", "ios")
                    .append("deviceToken", String.format("%064x", 0x7000000L + i)).append("channels", List.of("all"))
                    .append("_created_at", now).append("_updated_at", now));
            if (batch.size() == 5000) {
                installations.insertMany(batch);
                batch.clear();
            }
        }
    }

    private static int grpcPort(GatewayProcess process) throws InterruptedException {
        return process.port("gRPC API", Duration.ofSeconds(60));
    }

    private static PushStatus awaitFinished(int port, String pushId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        PushStatus status;
        do {
            TimeUnit.MILLISECONDS.sleep(200);
            status = call(port, stub -> stub.getPushStatus(GetPushStatusRequest.newBuilder().setPushId(pushId).build()));
        } while (status.getState() != PushState.PUSH_STATE_SUCCEEDED && status.getState() != PushState.PUSH_STATE_FAILED
                && System.nanoTime() < deadline);
        return status;
    }

    private static <T> T call(int port, java.util.function.Function<PushServiceGrpc.PushServiceBlockingStub, T> call)
            throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return call.apply(TestGateway.withKeys(PushServiceGrpc.newBlockingStub(channel), TestGateway.APP_ID,
                    TestGateway.MASTER_KEY));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
