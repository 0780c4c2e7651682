package org.parsepush.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.report.PushStatusStore;
import org.parsepush.proto.v1.ListPushesRequest;
import org.parsepush.proto.v1.ListPushesResponse;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushServiceGrpc.PushServiceBlockingStub;
import org.parsepush.proto.v1.PushStatus;

/**
 * ListPushes pages through {@code _PushStatus} as Parse Server writes it, over gRPC to a
 * running gateway on mongo-java-server: every push once, newest first, also when many were
 * created in the same millisecond, as transactional pushes are.
 */
class ListPushesTest {

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static TestGateway gateway;
    static PushServiceBlockingStub pushes;

    @BeforeAll
    static void start() throws Exception {
        mongo = TestMongo.start();
        gateway = TestGateway.start(dir, "mongo: {uri: \"%s\"}\n".formatted(mongo.uri()));
        pushes = gateway.authenticated(PushServiceGrpc.newBlockingStub(gateway.channel()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        gateway.close();
        mongo.close();
    }

    @Test
    void everyPushIsListedOnceNewestFirstWhenPagesEndWithinAMillisecond() {
        long now = System.currentTimeMillis();
        // Three pushes in one millisecond, then two in the next: pages of two end inside both.
        statuses().insertMany(List.of(status("pushAAAAA1", now), status("pushAAAAA2", now), status("pushAAAAA3", now),
                status("pushBBBBB1", now + 1), status("pushBBBBB2", now + 1), status("pushCCCCC1", now + 2),
                status("pushDDDDD1", now + 3)));

        List<String> listed = new ArrayList<>();
        String token = "";
        for (int page = 0; page < 10; page++) {
            ListPushesResponse answer = pushes.listPushes(ListPushesRequest.newBuilder()
                    .setPageSize(2).setPageToken(token).build());
            answer.getPushesList().stream().map(PushStatus::getPushId).forEach(listed::add);
            token = answer.getNextPageToken();
            if (token.isEmpty()) {
                break;
            }
        }

        assertEquals(List.of("pushDDDDD1", "pushCCCCC1", "pushBBBBB2", "pushBBBBB1", "pushAAAAA3", "pushAAAAA2",
                "pushAAAAA1"), listed);
    }

    @Test
    void aPageTokenNotGivenOutIsRefusedWithWhatToDo() {
        for (String token : List.of("1700000000000", "yesterday:abc", "1700000000000:", ":abc")) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> pushes.listPushes(ListPushesRequest.newBuilder().setPageToken(token).build()), token);
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), token);
            assertTrue(refused.getStatus().getDescription().contains("next_page_token"),
                    refused.getStatus().getDescription());
        }
    }

    @Test
    void theGatewayIndexesTheListOrderOnParsesCollection() throws InterruptedException {
        Document key = new Document("_created_at", 1).append("_id", 1);
        Await.until(Duration.ofSeconds(10), "the index " + PushStatusStore.LIST_INDEX,
                () -> statuses().listIndexes().into(new ArrayList<>()).stream().anyMatch(index ->
                        PushStatusStore.LIST_INDEX.equals(index.getString("name"))
                                && key.equals(index.get("key", Document.class))));
    }

    private static MongoCollection<Document> statuses() {
        return mongo.database(TestGateway.DATABASE).getCollection("_PushStatus");
    }

    /** A finished push as Parse Server records it. */
    private static Document status(String id, long createdMillis) {
        Date created = new Date(createdMillis);
        return new Document("_id", id).append("pushTime", created.toInstant().toString())
                .append("query", "{\"deviceType\":\"ios\"}").append("payload", "{\"alert\":\"hi\"}")
                .append("source", "rest").append("status", "succeeded").append("numSent", 1)
                .append("_wperm", List.of()).append("_rperm", List.of()).append("_acl", new Document())
                .append("_created_at", created).append("_updated_at", created);
    }
}
