package org.parsepush.gateway.audience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoCursorNotFoundException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Sorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.TestMongo;

/** The audience's read-ahead against mongo-java-server through the real driver, in small batches. */
class ReadAheadTest {

    private static final int DEVICES = 25;
    private static final int BATCH = 4;

    static TestMongo mongo;
    static MongoCollection<Document> installations;

    @BeforeAll
    static void seed() {
        mongo = TestMongo.start();
        installations = mongo.database("app").getCollection("_Installation");
        installations.insertMany(IntStream.range(0, DEVICES)
                .mapToObj(i -> new Document("_id", String.format("i%03d", i)).append("deviceType", "ios")
                        .append("deviceToken", "token" + i))
                .toList());
    }

    @AfterAll
    static void stop() {
        mongo.close();
    }

    @Test
    void readsEveryInstallationInOrderWhileAThreadFetchesAhead() throws InterruptedException {
        Set<String> before = readerThreads();
        List<String> read = new ArrayList<>();
        try (ReadAhead audience = new ReadAhead(cursor(BATCH))) {
            // The reader waits for room: it can hold only a few of the seven batches.
            assertEquals(1, newReaders(before).size(), "one reader thread for a multi-batch audience");
            while (audience.hasNext()) {
                read.add(audience.next().objectId());
            }
        }
        assertEquals(IntStream.range(0, DEVICES).mapToObj(i -> String.format("i%03d", i)).toList(), read);
        assertReadersEnd(before);
    }

    @Test
    void anAudienceInOneBatchStartsNoThread() {
        Set<String> before = readerThreads();
        int read = 0;
        try (ReadAhead audience = new ReadAhead(cursor(DEVICES + 1))) {
            while (audience.hasNext()) {
                audience.next();
                read++;
            }
        }
        assertEquals(DEVICES, read);
        assertEquals(Set.of(), newReaders(before));
    }

    @Test
    void closingHalfWayStopsTheReader() throws InterruptedException {
        Set<String> before = readerThreads();
        try (ReadAhead audience = new ReadAhead(cursor(BATCH))) {
            for (int i = 0; i < BATCH + 1; i++) {
                audience.next();
                assertTrue(audience.hasNext());
            }
        }
        assertReadersEnd(before);
    }

    @Test
    void aCursorTheServerForgotFailsAsTheDriverReportsIt() {
        MongoCursor<Document> cursor = cursor(BATCH);
        long cursorId = cursor.getServerCursor().getId();
        try (ReadAhead audience = new ReadAhead(cursor)) {
            mongo.database("app").runCommand(new Document("killCursors", "_Installation")
                    .append("cursors", List.of(cursorId)));
            MongoCursorNotFoundException failure = assertThrows(MongoCursorNotFoundException.class, () -> {
                for (int i = 0; i < DEVICES; i++) {
                    assertTrue(audience.hasNext());
                    audience.next();
                }
            });
            assertEquals(cursorId, failure.getCursorId());
            assertFalse(audience.hasNext(), "nothing after the failure");
        }
    }

    private static MongoCursor<Document> cursor(int batchSize) {
        return installations.find().sort(Sorts.ascending("_id")).batchSize(batchSize).cursor();
    }

    private static Set<String> readerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("audience-read-ahead-")).collect(Collectors.toSet());
    }

    private static Set<String> newReaders(Set<String> before) {
        Set<String> now = readerThreads();
        now.removeAll(before);
        return now;
    }

    private static void assertReadersEnd(Set<String> before) throws InterruptedException {
        Await.until(Duration.ofSeconds(5), "the reader thread ends once the audience is closed",
                () -> newReaders(before).isEmpty());
    }
}
