package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.apns.ApnsTestCertificates;
import org.parsepush.gateway.apns.FaultyApns;
import org.parsepush.gateway.apns.MockApns;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;
import org.parsepush.proto.v1.Throttle;

/**
 * MongoDB stops in the middle of a push and comes back on the same port with the same data
 * (mongo-java-server, H2 file backend): the push pauses, resumes from its checkpoint and
 * completes; every device gets it, at most one window of devices twice (the test allows one
 * window ahead of the checkpoint, {@code delivery.uncommittedWindows: 1}), and the counts in
 * {@code _PushStatus} are those of the audience, not of what was sent. While the database is
 * away a new push is refused as UNAVAILABLE ({@link DatabaseOutageTest} covers a gateway whose
 * database never comes back).
 */
class DatabaseRestartFaultTest {

    static final String TOPIC = "com.example.outage";
    static final int AUDIENCE = 3000;
    static final int WINDOW = 200;

    @TempDir
    Path dir;

    @Test
    void aPushPausesWhileTheDatabaseIsDownAndCompletesAfterItComesBack() throws Exception {
        runThroughOutage(true);
    }

    /**
     * A restart so quick that nothing times out: the audience cursor is simply gone on the
     * restarted server (CursorNotFound). That is no reason to fail the push either.
     */
    @Test
    void aRestartThatForgetsTheAudienceCursorDoesNotFailThePush() throws Exception {
        runThroughOutage(false);
    }

    private void runThroughOutage(boolean longOutage) throws Exception {
        try (CapturedLogs logs = CapturedLogs.capture();
             RestartableMongo mongo = RestartableMongo.start(dir.resolve("mongo"));
             FaultyApns apns = FaultyApns.start()) {
            seed(mongo);
            Path p12 = ApnsTestCertificates.p12(dir, TOPIC, "outage-pw");
            String top = """
                    mongo: {uri: "%s", operationTimeoutMillis: 1000}
                    apns: {productionServer: "%s", trustedServerCaFile: "%s", maxInFlightPerCredential: %d}
                    delivery: {batchSize: 100, cursorBatchSize: 100, statusFlushMillis: 100, initialBackoffMillis: 100,
                               maxBackoffMillis: 400, uncommittedWindows: 1}
                    jobs: {leaseSeconds: 3, pollMillis: 100}
                    """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir), WINDOW);
            String app = """
                        apns:
                          - {topic: %s, p12File: "%s", p12Password: outage-pw}
                    """.formatted(TOPIC, p12);
            Path data = dir.resolve("gateway");
            try (TestGateway gateway = TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of())) {
                // Paced, so that the push is still running when the database goes.
                String pushId = gateway.send(push("all").setThrottle(Throttle.newBuilder().setDevicesPerSecond(1000))
                        .build());
                await(() -> total(apns) >= AUDIENCE / 5, Duration.ofSeconds(20), "the push did not start");

                mongo.stop();
                int atStop = total(apns);
                if (longOutage) {
                    outage(gateway);
                }
                int duringOutage = total(apns) - atStop;

                mongo.restart();
                PushStatus status;
                try {
                    status = gateway.awaitFinished(pushId, Duration.ofSeconds(30));
                } catch (AssertionError stuck) {
                    throw new AssertionError(stuck.getMessage() + "\njob: " + mongo.database("testdb")
                            .getCollection("push_gateway_jobs").find(new Document("_id", pushId))
                            .projection(new Document("spec", 0)).first() + "\n" + threads(), stuck);
                }
                await(() -> gateway.admin("/readyz").statusCode() == 200, Duration.ofSeconds(10),
                        "the replica did not become ready again");

                Map<String, Integer> delivered = apns.deliveredByToken();
                int duplicates = total(apns) - delivered.size();
                System.out.printf("database restart: %d devices sent before the stop, %d during the outage,"
                        + " %d received twice (window %d)%n", atStop, duringOutage, duplicates, WINDOW);
                assertEquals(PushState.PUSH_STATE_SUCCEEDED, status.getState(), status.getErrorMessage());
                assertEquals(tokens(), delivered.keySet(), "some device never got the push");
                assertTrue(duplicates <= WINDOW, duplicates + " devices got it twice; at most one window, " + WINDOW);
                assertEquals(AUDIENCE, status.getNumSent(), "re-sent devices must not be counted twice");
                assertEquals(0, status.getNumFailed());
                Document stored = mongo.database("testdb").getCollection("_PushStatus")
                        .find(new Document("_id", pushId)).first();
                assertEquals("succeeded", stored.getString("status"));
                assertEquals(AUDIENCE, ((Number) stored.get("numSent")).intValue());
                assertEquals(0, ((Number) stored.getOrDefault("numFailed", 0)).intValue());
                assertEquals(AUDIENCE, ((Number) stored.get("sentPerType", Document.class).get("ios")).intValue());

                // And the replica accepts pushes again.
                String after = gateway.send(push("nobody").build());
                assertEquals(PushState.PUSH_STATE_SUCCEEDED, gateway.awaitFinished(after, Duration.ofSeconds(10))
                        .getState());
            }
        }
    }

    /** While the database is down: no new push is accepted, the replica is not ready, and the job runs into it. */
    private static void outage(TestGateway gateway) throws InterruptedException {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> gateway.send(push("all").build()));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("nothing was accepted"));
        await(() -> gateway.admin("/readyz").statusCode() == 503, Duration.ofSeconds(10),
                "the replica stayed ready without its database");
        TimeUnit.SECONDS.sleep(2); // the outage lasts a while: the job runs into it
    }

    /** Where the gateway's push threads are, for a push that does not finish. */
    static String threads() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("push-")) {
                dump.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
                for (int i = 0; i < Math.min(stack.length, 25); i++) {
                    dump.append("    at ").append(stack[i]).append('\n');
                }
            }
        });
        return dump.toString();
    }

    private static int total(FaultyApns apns) {
        return apns.deliveredByToken().values().stream().mapToInt(Integer::intValue).sum();
    }

    private static SendPushRequest.Builder push(String channel) {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder().setChannels(Channels.newBuilder()
                .addNames(channel))).setDataJson("{\"alert\":\"through the outage\"}");
    }

    private static Set<String> tokens() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < AUDIENCE; i++) {
            tokens.add(String.format("%064x", 0xd8000000L + i));
        }
        return tokens;
    }

    private static void seed(RestartableMongo mongo) {
        Date now = new Date();
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < AUDIENCE; i++) {
            batch.add(new Document("_id", String.format("D%08d", i)).append("deviceType", "ios")
                    .append("deviceToken", String.format("%064x", 0xd8000000L + i)).append("channels", List.of("all"))
                    .append("_created_at", now).append("_updated_at", now));
        }
        mongo.database("testdb").getCollection("_Installation").insertMany(batch);
    }

    private static void await(BooleanSupplier condition, Duration timeout, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
