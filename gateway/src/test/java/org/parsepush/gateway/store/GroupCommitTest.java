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
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
        PassRecorder recorder = new PassRecorder(true);
        onePassOfAnAcceptAndAFinish(recorder, Duration.ZERO);

        assertTrue(recorder.insertSawUpdate, "the finished push's status update was sent while the accepted push's insert was out");
        assertTrue(recorder.log.indexOf("end insert statuses") < recorder.log.indexOf("start insert jobs"),
                "the accepted push's job was sent only once its status was written: " + recorder.log);
        assertTrue(recorder.log.indexOf("end update statuses") < recorder.log.indexOf("start delete jobs"),
                "the finished push's job was removed only once its status was written: " + recorder.log);
    }

    @Test
    void onADatabaseThatAnswersQuicklyAPassGoesInOneLine() throws Exception {
        PassRecorder recorder = new PassRecorder(false);
        onePassOfAnAcceptAndAFinish(recorder, Duration.ofHours(1));

        assertEquals(List.of("start insert statuses", "end insert statuses", "start update statuses", "end update statuses",
                "start insert jobs", "end insert jobs", "start delete jobs", "end delete jobs"), recorder.log);
    }

    /**
     * Has one writer take a push accepted (status and job inserted) and a push finished (status
     * updated, job removed) into one pass: the writer is busy with a plug while both queue.
     */
    private void onePassOfAnAcceptAndAFinish(PassRecorder recorder, Duration sideBySideFrom) throws Exception {
        statuses.insertOne(new Document("_id", "done").append("state", "running"));
        jobs.insertOne(new Document("_id", "done"));
        try (MongoClient client = MongoClients.create(MongoClientSettings.builder()
                     .applyConnectionString(new ConnectionString(mongo.uri())).addCommandListener(recorder).build());
             GroupCommit oneWriter = new GroupCommit("one-pass", 1, sideBySideFrom)) {
            MongoDatabase database = client.getDatabase("groupcommit");
            MongoCollection<Document> heldStatuses = database.getCollection("statuses");
            MongoCollection<Document> heldJobs = database.getCollection("jobs");
            GroupCommit.Round plug = oneWriter.round();
            GroupCommit.Pending plugged = plug.insert(database.getCollection("plug"), new Document("plug", true));
            plug.send();
            assertTrue(recorder.plugSent.await(10, TimeUnit.SECONDS));
            GroupCommit.Round accept = oneWriter.round();
            GroupCommit.Pending created = accept.insert(heldStatuses, new Document("_id", "new"));
            GroupCommit.Pending queued = accept.insert(heldJobs, new Document("_id", "new"));
            accept.send();
            GroupCommit.Round finish = oneWriter.round();
            GroupCommit.Pending finished = finish.update(heldStatuses, Filters.eq("_id", "done"), Updates.set("state", "done"), () -> false);
            GroupCommit.Pending removed = finish.delete(heldJobs, Filters.eq("_id", "done"), () -> false);
            finish.send();
            recorder.unplug.countDown();

            assertTrue(plugged.await());
            assertTrue(created.await() && queued.await() && finished.await() && removed.await());
        }
        assertEquals("done", statuses.find(Filters.eq("_id", "done")).first().getString("state"));
        assertEquals(List.of("new"), jobs.find().map(job -> job.getString("_id")).into(new ArrayList<>()));
    }

    /**
     * Holds the plug's insert until told, logs when each command to statuses and jobs starts
     * and ends, and can hold the status insert until the status update has started: sent one
     * after the other, the update could start only once the insert was answered.
     */
    private static final class PassRecorder implements CommandListener {

        final CountDownLatch plugSent = new CountDownLatch(1);
        final CountDownLatch unplug = new CountDownLatch(1);
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        private final CountDownLatch statusUpdateStarted = new CountDownLatch(1);
        private final Map<Integer, String> running = new ConcurrentHashMap<>();
        private final boolean holdInsertForUpdate;
        volatile boolean insertSawUpdate;

        PassRecorder(boolean holdInsertForUpdate) {
            this.holdInsertForUpdate = holdInsertForUpdate;
        }

        @Override
        public void commandStarted(CommandStartedEvent event) {
            String target = event.getCommand().get(event.getCommandName()) instanceof BsonString name ? name.getValue() : "";
            String command = event.getCommandName() + " " + target;
            try {
                if (command.equals("insert plug")) {
                    plugSent.countDown();
                    unplug.await(10, TimeUnit.SECONDS);
                } else if (target.equals("statuses") || target.equals("jobs")) {
                    running.put(event.getRequestId(), command);
                    log.add("start " + command);
                    if (command.equals("update statuses")) {
                        statusUpdateStarted.countDown();
                    } else if (command.equals("insert statuses") && holdInsertForUpdate) {
                        insertSawUpdate = statusUpdateStarted.await(10, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void commandSucceeded(CommandSucceededEvent event) {
            String command = running.remove(event.getRequestId());
            if (command != null) {
                log.add("end " + command);
            }
        }
    }
}
