package org.parsepush.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.EmptyDatabase;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.push.Priority;
import org.parsepush.gateway.report.PushState;
import org.parsepush.gateway.store.Expiry;
import org.parsepush.gateway.store.GroupCommit;

/**
 * The gateway's own collections stay the size of what is in use: idempotency keys and
 * finished jobs expire, through MongoDB's TTL monitor and the gateway's own purge. Real
 * driver to mongo-java-server over TCP.
 */
class RetentionTest {

    static final Instant NOW = Instant.parse("2026-12-01T06:00:00Z");
    static final String OWNER = "replica-a";

    @RegisterExtension
    static final EmptyDatabase mongo = new EmptyDatabase();
    @TempDir
    static Path dir;
    final MongoDatabase database = mongo.database();
    GroupCommit commit;
    JobStore jobs;

    @BeforeEach
    void openStore() {
        commit = new GroupCommit("retention-test");
        jobs = new JobStore(database, commit, Duration.ofHours(24), Duration.ofDays(7));
    }

    @AfterEach
    void closeWriter() {
        commit.close();
    }

    @Test
    void anIdempotencyKeyIsRememberedForItsRetentionThenForgotten() {
        assertEquals(Optional.empty(), jobs.reserve("order-1-shipped", "FiRsTpUsH1", NOW));

        jobs.purgeExpired(NOW.plus(Duration.ofHours(23)));
        assertEquals(Optional.of("FiRsTpUsH1"),
                jobs.reserve("order-1-shipped", "SeCoNdPuSh", NOW.plus(Duration.ofHours(23))),
                "a repeat within the retention is the first push");

        jobs.purgeExpired(NOW.plus(Duration.ofHours(24)));
        assertEquals(Optional.empty(), jobs.reserve("order-1-shipped", "ThIrDpUsH1", NOW.plus(Duration.ofHours(25))),
                "a repeat after the retention is a new push");
    }

    @Test
    void aFinishedOrCancelledJobGoesAfterItsRetentionAndAWaitingOneNever() {
        commit.insert(database.getCollection(JobStore.JOBS), JobStore.newHeldJob(spec("FiNiShEd01"), OWNER,
                NOW.plusSeconds(30), NOW));
        assertTrue(jobs.finish("FiNiShEd01", OWNER, PushState.SUCCEEDED, NOW));
        jobs.insert(spec("CaNcElLeD1"), PushState.SCHEDULED, NOW.plus(Duration.ofDays(3)), NOW);
        assertTrue(jobs.cancel("CaNcElLeD1", NOW).isPresent());
        // Scheduled 13 days ahead: it must outlive the finished jobs' retention untouched.
        jobs.insert(spec("WaItInG001"), PushState.SCHEDULED, NOW.plus(Duration.ofDays(13)), NOW);

        jobs.purgeExpired(NOW.plus(Duration.ofDays(7)).minusSeconds(1));
        assertNotNull(job("FiNiShEd01"), "a finished job went before its retention");
        assertNotNull(job("CaNcElLeD1"), "a cancelled job went before its retention");

        jobs.purgeExpired(NOW.plus(Duration.ofDays(7)));
        assertNull(job("FiNiShEd01"));
        assertNull(job("CaNcElLeD1"));
        assertEquals("scheduled", job("WaItInG001").getString(JobStore.STATE));
    }

    @Test
    void bothCollectionsHaveATtlIndexOnTheExpiry() {
        jobs.createIndexes();

        for (String collection : List.of(JobStore.JOBS, JobStore.IDEMPOTENCY)) {
            Document index = database.getCollection(collection).listIndexes().into(new ArrayList<>()).stream()
                    .filter(candidate -> new Document(Expiry.FIELD, 1).equals(candidate.get("key", Document.class)))
                    .findFirst().orElseThrow(() -> new AssertionError("no index on expireAt in " + collection));
            assertEquals(0L, ((Number) index.get("expireAfterSeconds")).longValue(), collection);
        }
    }

    @Test
    void aRunningGatewayPurgesWhatExpired() throws Exception {
        Instant past = Instant.now().minusSeconds(60);
        Instant future = Instant.now().plus(Duration.ofHours(1));
        MongoCollection<Document> keys = database.getCollection(JobStore.IDEMPOTENCY);
        keys.insertOne(new Document("_id", "expired-key").append(Expiry.FIELD, Date.from(past)));
        keys.insertOne(new Document("_id", "live-key").append(Expiry.FIELD, Date.from(future)));
        MongoCollection<Document> jobCollection = database.getCollection(JobStore.JOBS);
        jobCollection.insertOne(new Document("_id", "ExPiReDjOb").append(JobStore.STATE, "succeeded")
                .append(Expiry.FIELD, Date.from(past)));

        try (TestGateway ignored = TestGateway.start(dir.resolve("purging"), """
                mongo: {uri: "%s"}
                jobs: {pollMillis: 50}
                """.formatted(mongo.uri()))) {
            Await.until(Duration.ofSeconds(10), "the expired key and job removed",
                    () -> keys.countDocuments(new Document("_id", "expired-key")) == 0
                            && jobCollection.countDocuments() == 0);

            assertEquals(1, keys.countDocuments(new Document("_id", "live-key")), "a key that has not expired went");
        }
    }

    private Document job(String pushId) {
        return jobs.find(pushId).orElse(null);
    }

    private static JobSpec spec(String pushId) {
        return new JobSpec(pushId, "{\"alert\":\"hi\"}", "{\"channels\":\"news\"}", List.of(), NOW, null, null, null,
                Priority.DEFAULT, null, null, false, 0, true);
    }
}
