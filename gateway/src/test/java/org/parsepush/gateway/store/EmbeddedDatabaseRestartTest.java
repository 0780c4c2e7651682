package org.parsepush.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.TestGateway;

class EmbeddedDatabaseRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void aDocumentWrittenBeforeARestartIsStillThereAfterIt() throws Exception {
        Document installation = new Document("_id", "CJ17ZiITxj").append("deviceType", "ios")
                .append("channels", java.util.List.of("news"));
        try (TestGateway first = TestGateway.start(dataDir)) {
            assertTrue(first.gateway().mongo().isEmbedded());
            first.gateway().mongo().database("testdb").getCollection("_Installation").insertOne(installation);
        }
        assertTrue(Files.exists(dataDir.resolve(EmbeddedMongo.FILE_NAME)));

        try (TestGateway second = TestGateway.start(dataDir)) {
            Document found = second.gateway().mongo().database("testdb").getCollection("_Installation")
                    .find(new Document("_id", "CJ17ZiITxj")).first();
            assertNotNull(found, "the installation written before the restart is gone");
            assertEquals("ios", found.getString("deviceType"));
        }
    }
}
