package org.parsepush.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.parsepush.gateway.TestMongo;

/** The database writer against mongo-java-server over TCP, through the real driver. */
class GroupCommitTest {

    static TestMongo mongo;
    static GroupCommit commit;
    MongoCollection<Document> statuses;
    MongoCollection<Document> jobs;

    @BeforeAll
    static void start() {
        mongo = TestMongo.start();
        commit = new GroupCommit("test-writes");
    }

    @AfterAll
    static void stop() {
        commit.close();
        mongo.close();
    }

    @BeforeEach
    void clean() {
        statuses = mongo.database("groupcommit").getCollection("statuses");
        jobs = mongo.database("groupcommit").getCollection("jobs");
        statuses.deleteMany(new Document());
        jobs.deleteMany(new Document());
    }

    @Test
    void aRoundWritesItsCollectionsTogetherAndAnswersEachWrite() {
        statuses.insertOne(new Document("_id", "old").append("state", "running"));
        GroupCommit.Round round = commit.round();
        GroupCommit.Pending created = round.insert(statuses, new Document("_id", "p1"));
        GroupCommit.Pending job = round.insert(jobs, new Document("_id", "p1"));
        GroupCommit.Pending finished = round.update(statuses, Filters.eq("_id", "old"), Updates.set("state", "done"), null);
        GroupCommit.Pending missing = round.delete(jobs, Filters.eq("_id", "nobody"), () -> false);
        round.send();

        assertTrue(created.await());
        assertTrue(job.await());
        assertTrue(finished.await());
        assertFalse(missing.await(), "a delete that matched nothing says so");
        assertEquals("done", statuses.find(Filters.eq("_id", "old")).first().getString("state"));
        assertEquals(1, jobs.countDocuments());
    }

    @Test
    void aFailedWriteStopsTheRestOfItsRoundButNotOtherRounds() {
        statuses.insertOne(new Document("_id", "taken"));
        GroupCommit.Round failing = commit.round();
        GroupCommit.Pending duplicate = failing.insert(statuses, new Document("_id", "taken"));
        GroupCommit.Pending job = failing.insert(jobs, new Document("_id", "taken"));
        GroupCommit.Round other = commit.round();
        GroupCommit.Pending otherJob = other.insert(jobs, new Document("_id", "other"));
        failing.send();
        other.send();

        assertThrows(MongoWriteException.class, duplicate::await);
        assertThrows(IllegalStateException.class, job::await, "the job of a round whose status failed is not written");
        assertTrue(otherJob.await());
        assertNull(jobs.find(Filters.eq("_id", "taken")).first());
        assertEquals(1, jobs.countDocuments());
    }

    @Test
    void roundsFromManyThreadsAreAllWrittenInTheirOwnOrder() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                String id = "push-" + i;
                // Half the rounds name jobs first, half statuses first: each is written in its own order.
                boolean statusFirst = i % 2 == 0;
                done.add(threads.submit(() -> {
                    GroupCommit.Round round = commit.round();
                    GroupCommit.Pending first = statusFirst ? round.insert(statuses, new Document("_id", id))
                            : round.insert(jobs, new Document("_id", id));
                    GroupCommit.Pending second = statusFirst ? round.insert(jobs, new Document("_id", id))
                            : round.insert(statuses, new Document("_id", id));
                    round.send();
                    first.await();
                    second.await();
                    GroupCommit.Round end = commit.round();
                    GroupCommit.Pending removed = end.delete(jobs, Filters.eq("_id", id), () -> false);
                    end.send();
                    assertTrue(removed.await());
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(2000, statuses.countDocuments());
        assertEquals(0, jobs.countDocuments());
    }

    @Test
    void aRoundThatDeletesAndInsertsAgainKeepsItsOrder() {
        jobs.insertOne(new Document("_id", "again").append("version", 1));
        GroupCommit.Round round = commit.round();
        GroupCommit.Pending removed = round.delete(jobs, Filters.eq("_id", "again"), () -> false);
        GroupCommit.Pending inserted = round.insert(jobs, new Document("_id", "again").append("version", 2));
        round.send();

        assertTrue(removed.await());
        assertTrue(inserted.await(), "the insert went before the delete it follows");
        assertEquals(2, jobs.find(Filters.eq("_id", "again")).first().getInteger("version"));
    }

    @Test
    void insertsUpdatesAndDeletesOfManyRoundsAreEachAnsweredAsApplied() throws Exception {
        for (int i = 0; i < 500; i++) {
            statuses.insertOne(new Document("_id", "old-" + i).append("state", "running"));
            jobs.insertOne(new Document("_id", "old-" + i));
        }
        ExecutorService threads = Executors.newFixedThreadPool(32);
        try {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                String id = "old-" + (i / 3);
                int kind = i % 3;
                answers.add(threads.submit(() -> {
                    GroupCommit.Round round = commit.round();
                    GroupCommit.Pending write = switch (kind) {
                        case 0 -> round.insert(statuses, new Document("_id", "new-" + id));
                        case 1 -> round.update(statuses, Filters.eq("_id", id), Updates.set("state", "done"), () -> false);
                        default -> round.delete(jobs, Filters.eq("_id", id), () -> false);
                    };
                    round.send();
                    return write.await();
                }));
            }
            for (Future<Boolean> answer : answers) {
                assertTrue(answer.get(), "every write matched");
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1000, statuses.countDocuments());
        assertEquals(500, statuses.countDocuments(Filters.eq("state", "done")));
        assertEquals(0, jobs.countDocuments());
    }

    @Test
    void roundsOfOnePassThatShareNoWriteAreSentSideBySide() throws Exception {
        CountDownLatch plugSent = new CountDownLatch(1);
        CountDownLatch unplug = new CountDownLatch(1);
        CountDownLatch statusUpdateStarted = new CountDownLatch(1);
        AtomicBoolean insertSawUpdate = new AtomicBoolean();
        AtomicBoolean statusInserted = new AtomicBoolean();
        AtomicBoolean jobAfterStatus = new AtomicBoolean();
        AtomicInteger statusInsertRequest = new AtomicInteger(-1);
        // The status insert is held until the status update has started: sent one after the
        // other, the update could only start once the insert was answered.
        CommandListener listener = new CommandListener() {
            @Override
            public void commandStarted(CommandStartedEvent event) {
                String target = event.getCommand().get(event.getCommandName()) instanceof BsonString name ? name.getValue() : "";
                try {
                    if (event.getCommandName().equals("insert") && target.equals("plug")) {
                        plugSent.countDown();
                        unplug.await(10, TimeUnit.SECONDS);
                    } else if (event.getCommandName().equals("insert") && target.equals("statuses")) {
                        statusInsertRequest.set(event.getRequestId());
                        insertSawUpdate.set(statusUpdateStarted.await(10, TimeUnit.SECONDS));
                    } else if (event.getCommandName().equals("update") && target.equals("statuses")) {
                        statusUpdateStarted.countDown();
                    } else if (event.getCommandName().equals("insert") && target.equals("jobs")) {
                        jobAfterStatus.set(statusInserted.get());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void commandSucceeded(CommandSucceededEvent event) {
                if (event.getRequestId() == statusInsertRequest.get()) {
                    statusInserted.set(true);
                }
            }
        };
        statuses.insertOne(new Document("_id", "done").append("state", "running"));
        jobs.insertOne(new Document("_id", "done"));
        try (MongoClient client = MongoClients.create(MongoClientSettings.builder()
                     .applyConnectionString(new ConnectionString(mongo.uri())).addCommandListener(listener).build());
             GroupCommit oneWriter = new GroupCommit("side-by-side", 1)) {
            MongoDatabase database = client.getDatabase("groupcommit");
            MongoCollection<Document> heldStatuses = database.getCollection("statuses");
            MongoCollection<Document> heldJobs = database.getCollection("jobs");
            // The only writer is busy with the plug while both rounds queue, so it takes them into one pass.
            GroupCommit.Round plug = oneWriter.round();
            GroupCommit.Pending plugged = plug.insert(database.getCollection("plug"), new Document("_id", 1));
            plug.send();
            assertTrue(plugSent.await(10, TimeUnit.SECONDS));
            GroupCommit.Round accept = oneWriter.round();
            GroupCommit.Pending created = accept.insert(heldStatuses, new Document("_id", "new"));
            GroupCommit.Pending queued = accept.insert(heldJobs, new Document("_id", "new"));
            accept.send();
            GroupCommit.Round finish = oneWriter.round();
            GroupCommit.Pending finished = finish.update(heldStatuses, Filters.eq("_id", "done"), Updates.set("state", "done"), () -> false);
            GroupCommit.Pending removed = finish.delete(heldJobs, Filters.eq("_id", "done"), () -> false);
            finish.send();
            unplug.countDown();

            assertTrue(plugged.await());
            assertTrue(created.await() && queued.await() && finished.await() && removed.await());
        }
        assertTrue(insertSawUpdate.get(), "the finished push's status update was sent while the accepted push's insert was out");
        assertTrue(jobAfterStatus.get(), "the accepted push's job was sent only once its status was written");
        assertEquals("done", statuses.find(Filters.eq("_id", "done")).first().getString("state"));
        assertEquals(List.of("new"), jobs.find().map(job -> job.getString("_id")).into(new ArrayList<>()));
    }
}
