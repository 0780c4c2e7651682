package org.parsepush.gateway.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.parsepush.gateway.EmptyDatabase;

/**
 * The shared directory of which replica holds which PPNS device. Real driver to
 * mongo-java-server over TCP.
 */
class ConnectionDirectoryTest {

    static final Duration REFRESH = Duration.ofSeconds(30);
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @RegisterExtension
    static final EmptyDatabase mongo = new EmptyDatabase();
    final ConnectionDirectory directory = new ConnectionDirectory(mongo.database(), REFRESH);
    final MongoCollection<Document> entries = mongo.database().getCollection(ConnectionDirectory.COLLECTION);

    void entry(String installationId, String replica, Instant refreshedAt) {
        entries.insertOne(new Document("_id", installationId).append("replica", replica)
                .append("refreshedAt", Date.from(refreshedAt)));
    }

    @Test
    void aRefreshKeepsThisReplicasEntriesAliveAndLeavesOtherReplicasAlone() {
        Instant longAgo = NOW.minus(REFRESH.multipliedBy(3));
        entry("device-a", "replica-one", longAgo);
        entry("device-b", "replica-one", longAgo);
        entry("device-c", "replica-two", longAgo);
        List<String> devices = List.of("device-a", "device-b", "device-c");
        assertEquals(Map.of(), directory.owners(devices, NOW), "entries older than two refreshes are stale");

        directory.refresh("replica-one", NOW);

        assertEquals(Map.of("device-a", "replica-one", "device-b", "replica-one"), directory.owners(devices, NOW));
        assertEquals(Date.from(longAgo), entries.find(new Document("_id", "device-c")).first().getDate("refreshedAt"));
    }

    @Test
    void ownersAreTheReplicasOfFreshEntriesOnly() {
        entry("fresh", "replica-two", NOW.minus(REFRESH));
        entry("just-fresh", "replica-three", NOW.minus(REFRESH.multipliedBy(2)));
        entry("stale", "replica-two", NOW.minus(REFRESH.multipliedBy(2)).minusMillis(1));

        assertEquals(Map.of("fresh", "replica-two", "just-fresh", "replica-three"),
                directory.owners(List.of("fresh", "just-fresh", "stale", "never-connected"), NOW));
    }

    @Test
    void entriesOfListsOneReplicasDevices() {
        entry("device-a", "replica-one", NOW);
        entry("device-b", "replica-two", NOW);
        entry("device-c", "replica-one", NOW);

        List<String> listed = new ArrayList<>();
        directory.entriesOf("replica-one", listed::add);

        assertEquals(2, listed.size(), listed.toString());
        assertTrue(listed.containsAll(List.of("device-a", "device-c")), listed.toString());
    }

    @Test
    void aDepartureRemovesOnlyThisReplicasEntry() {
        entry("moved", "replica-two", NOW);
        entry("left", "replica-one", NOW);

        directory.apply(List.of(new ConnectionDirectory.Change("moved", false),
                new ConnectionDirectory.Change("left", false)), "replica-one", NOW);

        assertEquals(Map.of("moved", "replica-two"), directory.owners(List.of("moved", "left"), NOW));
    }
}
