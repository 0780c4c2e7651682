package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * Calls beyond what the replica takes in at once are refused at once with RESOURCE_EXHAUSTED
 * and a retry hint, instead of queueing without bound behind calls that cannot finish.
 */
class OverloadTest {

    private static final Metadata.Key<String> RETRY_PUSHBACK =
            Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;

    @Test
    void callsBeyondTheLimitAreRefusedAtOnceWithARetryHintAndNothingIsAccepted() throws Exception {
        TestMongo mongo = TestMongo.start();
        try (TestGateway gateway = TestGateway.start(dir, "mongo: {uri: \"" + mongo.uri()
                + "\", operationTimeoutMillis: 3000}\ndelivery: {maxPendingCalls: 2}")) {
            mongo.close(); // every call now waits for the database until it gives up: the replica is saturated
            ExecutorService callers = Executors.newFixedThreadPool(8);
            List<Future<Status>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(callers.submit(() -> call(gateway)));
            }
            int refused = 0;
            int unavailable = 0;
            for (Future<Status> answer : answers) {
                Status status = answer.get(30, TimeUnit.SECONDS);
                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                    refused++;
                    assertTrue(status.getDescription().contains("delivery.maxPendingCalls")
                            && status.getDescription().contains("nothing was accepted"), status.getDescription());
                } else {
                    assertEquals(Status.Code.UNAVAILABLE, status.getCode(), "a call was neither refused nor failed: "
                            + status);
                    unavailable++;
                }
            }
            callers.shutdown();
            assertTrue(refused >= 6, "at most two calls may wait for the database; refused " + refused);
            assertEquals(8, refused + unavailable);
        }
    }

    /** The call's status; a refusal must carry the wait in gRPC's retry-pushback trailer. */
    private static Status call(TestGateway gateway) {
        try {
            gateway.send(request());
            return Status.OK;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                assertEquals("1000", e.getTrailers().get(RETRY_PUSHBACK), "no retry hint");
            }
            return e.getStatus();
        }
    }

    private static SendPushRequest request() {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder().setChannels(Channels.newBuilder()
                .addNames("news"))).setDataJson("{\"alert\":\"too many\"}").build();
    }
}
