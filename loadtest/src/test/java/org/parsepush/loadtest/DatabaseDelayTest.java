package org.parsepush.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** The relay of {@code --db-delay-ms}: the real driver through it to mongo-java-server. */
class DatabaseDelayTest {

    private static final long DELAY_MILLIS = 40;

    @Test
    void everyAnswerArrivesWholeInOrderAndNoSoonerThanTheDelay() throws Exception {
        MongoServer database = new MongoServer(new MemoryBackend());
        database.bind("127.0.0.1", 0);
        try (DatabaseDelay delay = DatabaseDelay.start(database.getLocalAddress(), DELAY_MILLIS);
             MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + delay.port())) {
            MongoCollection<Document> collection = client.getDatabase("bench").getCollection("things");
            List<Document> things = IntStream.range(0, 3000)
                    .mapToObj(i -> new Document("_id", i).append("padding", "x".repeat(200))).toList();
            collection.insertMany(things);

            long started = System.nanoTime();
            client.getDatabase("admin").runCommand(new Document("ping", 1));
            long pingMillis = (System.nanoTime() - started) / 1_000_000;

            List<Document> read = collection.find().sort(Sorts.ascending("_id")).batchSize(500)
                    .into(new ArrayList<>());
            assertEquals(things, read);
            assertTrue(pingMillis >= DELAY_MILLIS, "a round trip took " + pingMillis + " ms");
        } finally {
            database.shutdownNow();
        }
    }
}
