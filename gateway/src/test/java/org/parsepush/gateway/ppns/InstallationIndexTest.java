package org.parsepush.gateway.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.EmptyDatabase;
import org.parsepush.gateway.TestGateway;

/**
 * PPNS handshakes look installations up by {@code installationId}, which Parse Server does
 * not index: the gateway makes that index unless one is there already. Real driver to
 * mongo-java-server over TCP.
 */
class InstallationIndexTest {

    @RegisterExtension
    static final EmptyDatabase mongo = new EmptyDatabase();
    @TempDir
    static Path dir;
    final MongoDatabase database = mongo.database();
    final MongoCollection<Document> installations = database.getCollection("_Installation");

    List<Document> indexKeys() {
        return installations.listIndexes().into(new ArrayList<>()).stream()
                .map(index -> index.get("key", Document.class)).toList();
    }

    InstallationCheck check() {
        return new InstallationCheck(database, false, Clock.systemUTC(), Runnable::run);
    }

    @Test
    void theIndexIsMadeOnceOnAFreshDatabase() {
        assertTrue(check().installationIdIndex().ensure());
        assertFalse(check().installationIdIndex().ensure(), "a second start made the index again");

        Document index = installations.listIndexes().into(new ArrayList<>()).stream()
                .filter(candidate -> InstallationCheck.INSTALLATION_ID_INDEX.equals(candidate.getString("name")))
                .findFirst().orElseThrow();
        assertEquals(new Document("installationId", 1), index.get("key", Document.class));
    }

    @Test
    void anOperatorsIndexStartingWithTheInstallationIdIsUsedAsItIs() {
        installations.createIndex(Indexes.ascending("installationId", "deviceType"),
                new IndexOptions().name("operators_own"));

        assertFalse(check().installationIdIndex().ensure());
        assertEquals(Set.of(new Document("_id", 1), new Document("installationId", 1).append("deviceType", 1)),
                Set.copyOf(indexKeys()));
    }

    @Test
    void aGatewayServingPpnsMakesTheIndexAfterItStarts() throws Exception {
        // PPNS is on by default.
        try (TestGateway ignored = TestGateway.start(dir.resolve("ppns-on"), """
                mongo: {uri: "%s"}
                """.formatted(mongo.uri()))) {
            Await.until(Duration.ofSeconds(10), "the index on installationId",
                    () -> indexKeys().contains(new Document("installationId", 1)));
        }
    }
}
