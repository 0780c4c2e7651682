package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/** With the database gone, a push is refused as UNAVAILABLE rather than accepted and lost. */
class DatabaseOutageTest {

    @TempDir
    Path dir;

    @Test
    void sendPushIsUnavailableWhileTheDatabaseIsDownAndTheReplicaIsNotReady() throws Exception {
        TestMongo mongo = TestMongo.start();
        try (TestGateway gateway = TestGateway.start(dir, "mongo: {uri: \"" + mongo.uri()
                + "\", operationTimeoutMillis: 1000}")) {
            assertEquals(200, gateway.admin("/readyz").statusCode());
            mongo.close();

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> gateway.send(
                    SendPushRequest.newBuilder().setTarget(Target.newBuilder().setChannels(Channels.newBuilder()
                            .addNames("news"))).setDataJson("{\"alert\":\"lost?\"}").build()));
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("nothing was accepted"),
                    refused.getStatus().getDescription());
            assertEquals(503, gateway.admin("/readyz").statusCode());
        }
    }
}
