package org.parsepush.gateway.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * Memory stays bounded: a push to 200,000 installations completes with the gateway in its
 * own process capped at 128 MB of heap (the database and the mock APNs live outside it).
 */
class ApnsLargeAudienceTest {

    static final int AUDIENCE = 200_000;
    static final String TOPIC = "com.example.large";
    static final String PASSWORD = "large-p12";

    @TempDir
    Path dir;

    @Test
    void aPushTo200000InstallationsCompletesInA128MegabyteHeap() throws Exception {
        try (TestMongo mongo = TestMongo.start()) {
            seed(mongo.database("testdb").getCollection("_Installation"));
            Path trusted = dir.resolve("trusted.pem");
            Path p12 = ApnsTestCertificates.p12(dir, TOPIC, PASSWORD);
            ApnsTestCertificates.trust(p12, PASSWORD, trusted);
            try (MockApns apns = MockApns.acceptingAll(trusted)) {
                Path config = dir.resolve("gateway.yaml");
                Files.writeString(config, TestGateway.yaml(dir.resolve("data"), """
                        mongo: {uri: "%s"}
                        apns: {productionServer: "%s", trustedServerCaFile: "%s"}
                        """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir)), """
                            apns:
                              - {topic: %s, p12File: "%s", p12Password: "%s"}
                        """.formatted(TOPIC, p12, PASSWORD)));
                try (GatewayProcess gateway = GatewayProcess.start(config, Map.of(), "-Xmx128m",
                        "-XX:+ExitOnOutOfMemoryError")) {
                    int port = gateway.port("gRPC API", Duration.ofSeconds(60));
                    PushStatus status = pushToEveryone(port);

                    assertEquals(PushState.PUSH_STATE_SUCCEEDED, status.getState(), gateway.output());
                    assertEquals(AUDIENCE, status.getNumSent());
                    assertEquals(AUDIENCE, apns.accepted().size());
                    assertEquals(AUDIENCE, apns.acceptedByToken().size(), "some device received the push twice");
                    assertFalse(gateway.output().contains("OutOfMemoryError"), gateway.output());
                }
            }
        }
    }

    private static void seed(MongoCollection<Document> installations) {
        Date now = new Date();
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < AUDIENCE; i++) {
            batch.add(new Document("_id", String.format("L%09d", i)).append("deviceType", "ios")
                    .append("deviceToken", String.format("%064x", i)).append("channels", List.of("everyone"))
                    .append("appIdentifier", TOPIC).append("_created_at", now).append("_updated_at", now));
            if (batch.size() == 10_000) {
                installations.insertMany(batch);
                batch.clear();
            }
        }
    }

    private static PushStatus pushToEveryone(int port) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            var stub = TestGateway.withKeys(PushServiceGrpc.newBlockingStub(channel), TestGateway.APP_ID,
                    TestGateway.MASTER_KEY);
            String pushId = stub.sendPush(SendPushRequest.newBuilder()
                    .setTarget(Target.newBuilder().setChannels(Channels.newBuilder().addNames("everyone")))
                    .setDataJson("{\"alert\":\"to all of you\"}").build()).getPushId();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            PushStatus status;
            do {
                TimeUnit.MILLISECONDS.sleep(250);
                status = stub.getPushStatus(GetPushStatusRequest.newBuilder().setPushId(pushId).build());
            } while (!status.getState().equals(PushState.PUSH_STATE_SUCCEEDED)
                    && !status.getState().equals(PushState.PUSH_STATE_FAILED) && System.nanoTime() < deadline);
            return status;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
