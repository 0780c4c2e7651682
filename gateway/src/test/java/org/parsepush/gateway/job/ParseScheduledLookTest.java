package org.parsepush.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.mongodb.client.MongoDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.EmptyDatabase;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.report.PushStatusStore;

/**
 * The look for pushes Parse Server only recorded as scheduled: it reads a partial index the
 * gateway makes on Parse's {@code _PushStatus}, and an operator whose Parse Server schedules
 * nothing can switch it off. (That an adopted push is sent is {@link DurableJobTest}'s.)
 * Real driver to mongo-java-server over TCP.
 */
class ParseScheduledLookTest {

    @RegisterExtension
    static final EmptyDatabase mongo = new EmptyDatabase();
    @TempDir
    static Path dir;
    final MongoDatabase database = mongo.database();

    TestGateway gateway(String name, int parseScheduledPollMillis) throws Exception {
        return TestGateway.start(dir.resolve(name), """
                mongo: {uri: "%s"}
                jobs: {pollMillis: 50, parseScheduledPollMillis: %d}
                """.formatted(mongo.uri(), parseScheduledPollMillis));
    }

    Optional<Document> index(String collection, String name) {
        List<Document> indexes = database.getCollection(collection).listIndexes().into(new ArrayList<>());
        return indexes.stream().filter(index -> name.equals(index.getString("name"))).findFirst();
    }

    /** The scheduler has passed its first round: it makes its own indexes before anything else. */
    void awaitSchedulerStarted() throws InterruptedException {
        Await.until(Duration.ofSeconds(10), "the job index", () -> index("push_gateway_jobs", "state_1_notBefore_1")
                .isPresent());
    }

    @Test
    void theLookReadsAPartialIndexOfTheScheduledOnly() throws Exception {
        try (TestGateway ignored = gateway("indexed", 100)) {
            Await.until(Duration.ofSeconds(10), "the index on _PushStatus",
                    () -> index("_PushStatus", PushStatusStore.SCHEDULED_INDEX).isPresent());

            Document index = index("_PushStatus", PushStatusStore.SCHEDULED_INDEX).orElseThrow();
            assertEquals(new Document("status", 1), index.get("key", Document.class));
            assertEquals(new Document("status", "scheduled"), index.get("partialFilterExpression", Document.class));
        }
    }

    @Test
    void switchedOffTheGatewayNeitherLooksNorIndexesParseCollections() throws Exception {
        database.getCollection("_PushStatus").insertOne(new Document("_id", "NeVeRaDoPt")
                .append("pushTime", "2026-12-01T07:00:00.000Z").append("query", "{\"channels\":{\"$in\":[\"x\"]}}")
                .append("payload", "{\"alert\":\"from Parse\"}").append("source", "rest").append("status", "scheduled")
                .append("numSent", 0).append("_created_at", new Date()).append("_updated_at", new Date()));
        try (TestGateway ignored = gateway("off", 0)) {
            awaitSchedulerStarted();
            // With the look on at its shortest interval (100 ms) the push would be adopted within this.
            TimeUnit.MILLISECONDS.sleep(1000);

            assertNull(database.getCollection("push_gateway_jobs").find(new Document("_id", "NeVeRaDoPt")).first(),
                    "a push Parse Server scheduled was adopted although the look is off");
            assertEquals(Optional.empty(), index("_PushStatus", PushStatusStore.SCHEDULED_INDEX));
        }
    }
}
