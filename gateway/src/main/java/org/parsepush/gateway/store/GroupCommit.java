package org.parsepush.gateway.store;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoNamespace;
import com.mongodb.MongoWriteException;
import com.mongodb.WriteError;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Single-document writes from many threads, sent to MongoDB together: whatever queued up
 * while the previous round trip was out goes as one ordered bulk write per collection and
 * kind of write (inserts, updates, deletes: {@link #byKind}). A caller still waits for its
 * own write (the API stays blocking), but a thousand pushes accepted at once cost a handful
 * of round trips instead of thousands, on any MongoDB.
 *
 * <p>Writes that belong together (a push's status and its job) go in one {@link Round}:
 * they reach the database in the same pass, collection by collection in the order the
 * round first named them, so the caller waits for one pass instead of one per write. A
 * round is applied in order up to its first failed write; the writes after it are not sent.
 *
 * <p>A pass sends its bulk writes in chains that share no round, side by side ({@link #send}):
 * pushes accepted (a status inserted, then a job) and pushes finished (a status updated, then
 * a job removed) in one pass are two chains of two round trips, not four round trips in a
 * row. On a database a few milliseconds away that halves what a pass, and so every caller,
 * waits.
 *
 * <p>Two writers take turns: a write queued while one writer's round trip is out goes with
 * the other at once instead of waiting for that round trip to come back.
 *
 * <p>The queue needs no bound of its own: every writer waits for its write, so at most one
 * round per waiting thread is queued, and those threads are bounded where they come from.
 */
public final class GroupCommit implements AutoCloseable {

    private static final int MAX_BATCH = 1000;
    private static final int WRITERS = 2;
    /** Chains of one pass sent beside the writer's own, per writer; a pass rarely has more. */
    private static final int SENDS_PER_WRITER = 3;
    /**
     * Chains go side by side only while bulk writes take this long on average: a database that
     * answers faster gains little, and another thread woken costs CPU. On loopback, where
     * mongo-java-server's writes took 0.7–0.9 ms under the transactional scenario's 200/s,
     * chains side by side (then from 1 ms, which the average passed at every hiccup) had a
     * p99 accept 2–12 ms slower in all seven alternating pairs; with the database 2 ms away
     * they took the median accept p50 from 21.3 to 14.2 ms (see loadtest/RESULTS.md).
     */
    private static final Duration SIDE_BY_SIDE_FROM = Duration.ofMillis(2);
    /** Tells one writer to stop; compared by identity. */
    private static final List<Write> STOP = new ArrayList<>();

    private final BlockingQueue<List<Write>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    /** Sends a pass's other chains (see {@link #send}); its threads end when idle, so an app that writes little keeps none. */
    private final ThreadPoolExecutor senders;
    private final long sideBySideFromNanos;
    /** A moving average of recent bulk writes' time; updated without a lock, so a sample may be lost. */
    private volatile long recentBulkNanos;
    private volatile boolean open = true;

    public GroupCommit(String name) {
        this(name, WRITERS, SIDE_BY_SIDE_FROM);
    }

    /**
     * With {@code writers} writer threads taking turns (tests use one, to know what a pass
     * holds) and chains side by side once bulk writes take {@code sideBySideFrom}.
     */
    GroupCommit(String name, int writers, Duration sideBySideFrom) {
        sideBySideFromNanos = sideBySideFrom.toNanos();
        recentBulkNanos = sideBySideFromNanos;
        // Threads only while chains are out; a chain finding all busy goes on its writer's thread.
        senders = new ThreadPoolExecutor(0, writers * SENDS_PER_WRITER, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new DefaultThreadFactory(name + "-send", true), new ThreadPoolExecutor.CallerRunsPolicy());
        DefaultThreadFactory threads = new DefaultThreadFactory(name, true);
        for (int i = 0; i < writers; i++) {
            Thread writer = threads.newThread(this::run);
            this.writers.add(writer);
            writer.start();
        }
    }

    /** Starts a round of writes that go to the database together once {@link Round#send()} is called. */
    public Round round() {
        return new Round();
    }

    /** Inserts one document; throws as {@code insertOne} would (a duplicate key as {@link MongoWriteException}). */
    public void insert(MongoCollection<Document> collection, Document document) {
        Round round = round();
        Pending done = round.insert(collection, document);
        round.send();
        done.await();
    }

    /** Inserts documents, in order, as part of the next round trip. */
    public void insertAll(MongoCollection<Document> collection, List<Document> documents) {
        Round round = round();
        List<Pending> done = new ArrayList<>(documents.size());
        for (Document document : documents) {
            done.add(round.insert(collection, document));
        }
        round.send();
        done.forEach(Pending::await);
    }

    /**
     * Updates the one document {@code filter} matches and says whether it matched. A bulk
     * write reports only how many of its updates matched in all; when that falls short,
     * {@code recheck} is asked (on the writer thread) whether this update was applied.
     */
    public boolean update(MongoCollection<Document> collection, Bson filter, Bson update, BooleanSupplier recheck) {
        Round round = round();
        Pending done = round.update(collection, filter, update, recheck);
        round.send();
        return done.await();
    }

    /** Updates the one document {@code filter} matches, when it does; no answer needed. */
    public void update(MongoCollection<Document> collection, Bson filter, Bson update) {
        update(collection, filter, update, null);
    }

    /**
     * Deletes the one document {@code filter} matches and says whether it did; as with
     * {@link #update(MongoCollection, Bson, Bson, BooleanSupplier)}, {@code recheck} answers
     * when the bulk write's total falls short.
     */
    public boolean delete(MongoCollection<Document> collection, Bson filter, BooleanSupplier recheck) {
        Round round = round();
        Pending done = round.delete(collection, filter, recheck);
        round.send();
        return done.await();
    }

    /** Writes gathered to go to the database in one pass; nothing is sent before {@link #send()}. */
    public final class Round {

        private final List<Write> writes = new ArrayList<>();
        /** Set when one of the round's writes failed: the writes after it are not sent. */
        private final AtomicBoolean failed = new AtomicBoolean();

        public Pending insert(MongoCollection<Document> collection, Document document) {
            return add(collection, new InsertOneModel<>(document), null);
        }

        /** See {@link GroupCommit#update(MongoCollection, Bson, Bson, BooleanSupplier)}; {@code recheck} may be null. */
        public Pending update(MongoCollection<Document> collection, Bson filter, Bson update, BooleanSupplier recheck) {
            return add(collection, new UpdateOneModel<>(filter, update), recheck);
        }

        /** See {@link GroupCommit#delete(MongoCollection, Bson, BooleanSupplier)}. */
        public Pending delete(MongoCollection<Document> collection, Bson filter, BooleanSupplier recheck) {
            return add(collection, new DeleteOneModel<>(filter), recheck);
        }

        private Pending add(MongoCollection<Document> collection, WriteModel<Document> model, BooleanSupplier recheck) {
            Write write = new Write(collection, model, recheck, failed, new CompletableFuture<>());
            writes.add(write);
            return new Pending(write.done);
        }

        /** Queues the round's writes as one unit: one writer takes them all into the same pass. */
        public void send() {
            if (!open) {
                throw new IllegalStateException("the database writer is closed");
            }
            if (!writes.isEmpty()) {
                queue.add(List.copyOf(writes));
            }
        }
    }

    /** One write of a round, sent or about to be. */
    public static final class Pending {

        private final CompletableFuture<Boolean> done;

        private Pending(CompletableFuture<Boolean> done) {
            this.done = done;
        }

        /**
         * Waits for the write; true when it was applied (for an update or delete: it matched).
         * Throws what the single-document write would have thrown.
         */
        public boolean await() {
            try {
                return done.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }

    private void run() {
        List<List<Write>> units = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                units.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(units, MAX_BATCH - 1);
            stopping = takeStops(units);
            writePass(units);
            units.clear();
        }
        failRemaining();
    }

    /** Removes the stop signals from {@code units}; one is this writer's, the others go back to the queue. */
    private boolean takeStops(List<List<Write>> units) {
        int stops = 0;
        for (var it = units.iterator(); it.hasNext(); ) {
            if (it.next() == STOP) {
                it.remove();
                stops++;
            }
        }
        for (int i = 1; i < stops; i++) {
            queue.add(STOP);
        }
        return stops > 0;
    }

    /**
     * Writes the units grouped per collection, collections in the order they were first named.
     * A round that names collections in another order than the pass so far (jobs before
     * statuses where the pass has statuses first) starts a new pass, so every round's
     * collections are written in the order it named them.
     */
    private void writePass(List<List<Write>> units) {
        Map<MongoNamespace, List<Write>> groups = new LinkedHashMap<>();
        for (List<Write> unit : units) {
            if (!keepsOrder(groups, unit)) {
                send(groups.values());
                groups = new LinkedHashMap<>();
            }
            for (Write write : unit) {
                groups.computeIfAbsent(write.collection.getNamespace(), namespace -> new ArrayList<>()).add(write);
            }
        }
        send(groups.values());
    }

    /**
     * Sends the groups as bulk writes of one kind each, in chains that share no round: a
     * chain's bulk writes go one after the other, in pass order, so each round is applied in
     * order; chains go side by side, the first on this thread. Writes of different rounds were
     * racing anyway (see {@link #byKind}), so no order between chains is lost. On a database
     * that answers quickly ({@link #SIDE_BY_SIDE_FROM}) all go on this thread, in pass order.
     */
    private void send(Collection<List<Write>> groups) {
        List<List<Write>> bulks = new ArrayList<>();
        for (List<Write> group : groups) {
            bulks.addAll(runsOfOneKind(byKind(group)));
        }
        if (bulks.isEmpty()) { // stop signals only, or a round split off before anything was grouped
            return;
        }
        if (recentBulkNanos < sideBySideFromNanos) {
            bulks.forEach(this::writeAnswered);
            return;
        }
        List<Chain> chains = chainsSharingNoRound(bulks);
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (Chain chain : chains.subList(1, chains.size())) {
            others.add(CompletableFuture.runAsync(() -> chain.bulks.forEach(this::writeAnswered), senders));
        }
        chains.get(0).bulks.forEach(this::writeAnswered);
        CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).join();
    }

    /**
     * Groups the bulk writes so that all of a round's are in one group, each group in pass
     * order. Typically two: pushes accepted (status inserts, then job inserts) and pushes
     * finished (status updates, then job removals).
     */
    private static List<Chain> chainsSharingNoRound(List<List<Write>> bulks) {
        int[] chainOf = new int[bulks.size()];
        Map<AtomicBoolean, Integer> bulkOfRound = new IdentityHashMap<>();
        for (int i = 0; i < bulks.size(); i++) {
            chainOf[i] = i;
            for (Write write : bulks.get(i)) {
                Integer earlier = bulkOfRound.putIfAbsent(write.roundFailed, i);
                if (earlier != null) {
                    merge(chainOf, earlier, i);
                }
            }
        }
        Map<Integer, Chain> chains = new LinkedHashMap<>();
        for (int i = 0; i < bulks.size(); i++) {
            chains.computeIfAbsent(root(chainOf, i), chain -> new Chain(new ArrayList<>())).bulks.add(bulks.get(i));
        }
        return new ArrayList<>(chains.values());
    }

    private static void merge(int[] chainOf, int a, int b) {
        int rootA = root(chainOf, a);
        int rootB = root(chainOf, b);
        chainOf[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
    }

    private static int root(int[] chainOf, int bulk) {
        while (chainOf[bulk] != bulk) {
            bulk = chainOf[bulk];
        }
        return bulk;
    }

    /** {@link #writeAll}, failing what it left unanswered should it throw: its callers and the rounds behind it would wait forever. */
    private void writeAnswered(List<Write> bulk) {
        try {
            writeAll(bulk);
        } catch (RuntimeException | Error e) {
            bulk.stream().filter(write -> !write.done.isDone()).forEach(write -> write.fail(e));
        }
    }

    /** Splits writes into runs of one kind, in order: the driver would send each run as a command of its own anyway. */
    private static List<List<Write>> runsOfOneKind(List<Write> writes) {
        List<List<Write>> runs = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= writes.size(); i++) {
            if (i == writes.size() || kind(writes.get(i)) != kind(writes.get(start))) {
                runs.add(writes.subList(start, i));
                start = i;
            }
        }
        return runs;
    }

    /** True when adding {@code unit} to the pass writes its collections in the order it names them. */
    private static boolean keepsOrder(Map<MongoNamespace, List<Write>> groups, List<Write> unit) {
        List<MongoNamespace> order = new ArrayList<>(groups.keySet());
        int last = -1;
        for (Write write : unit) {
            MongoNamespace namespace = write.collection.getNamespace();
            int position = order.indexOf(namespace);
            if (position < 0) {
                order.add(namespace);
                position = order.size() - 1;
            }
            if (position < last) {
                return false;
            }
            last = position;
        }
        return true;
    }

    /**
     * One ordered bulk write; after a failed write, the ones behind it go in the next. Writes
     * whose round already had a write fail are not sent: a round is applied in order, up to
     * its first failure.
     */
    private void writeAll(List<Write> writes) {
        List<Write> rest = withoutFailedRounds(writes);
        while (!rest.isEmpty()) {
            MongoCollection<Document> collection = rest.get(0).collection;
            try {
                BulkWriteResult result = timed(collection, rest);
                settle(rest, result.getMatchedCount(), result.getDeletedCount());
                return;
            } catch (MongoBulkWriteException e) {
                if (e.getWriteErrors().isEmpty()) { // a write-concern error: nothing is known to be durable
                    rest.forEach(write -> write.fail(e));
                    return;
                }
                BulkWriteError error = e.getWriteErrors().get(0);
                int failed = error.getIndex();
                settle(rest.subList(0, failed), e.getWriteResult().getMatchedCount(),
                        e.getWriteResult().getDeletedCount());
                rest.get(failed).fail(new MongoWriteException(
                        new WriteError(error.getCode(), error.getMessage(), error.getDetails()),
                        e.getServerAddress(), e.getErrorLabels()));
                rest = withoutFailedRounds(rest.subList(failed + 1, rest.size()));
            } catch (RuntimeException e) {
                rest.forEach(write -> write.fail(e));
                return;
            }
        }
    }

    private BulkWriteResult timed(MongoCollection<Document> collection, List<Write> writes) {
        long start = System.nanoTime();
        try {
            return collection.bulkWrite(writes.stream().map(Write::model).toList(), new BulkWriteOptions().ordered(true));
        } finally {
            long took = System.nanoTime() - start;
            recentBulkNanos += (took - recentBulkNanos) / 8;
        }
    }

    /**
     * The writes with inserts first, then updates, then deletes, each kind in queue order. The
     * driver sends an ordered bulk write as one command per run of one kind, so a pass in which
     * pushes accepted (inserts) alternate with pushes finished (updates) cost a round trip per
     * change of kind: 34 for 17 of each, instead of 2. Only writes of different rounds move past
     * one another. Every caller waits for its round before it writes again, so writes of
     * different rounds in one pass were racing, and either order is one the race could have
     * had. A group in which one round has writes of two kinds keeps its order.
     */
    private static List<Write> byKind(List<Write> writes) {
        Map<AtomicBoolean, Integer> kindOfRound = new IdentityHashMap<>();
        for (Write write : writes) {
            Integer earlier = kindOfRound.put(write.roundFailed, kind(write));
            if (earlier != null && earlier != kind(write)) {
                return writes;
            }
        }
        List<Write> sorted = new ArrayList<>(writes);
        sorted.sort(Comparator.comparingInt(GroupCommit::kind)); // a stable sort: queue order within a kind
        return sorted;
    }

    private static int kind(Write write) {
        return write.model instanceof InsertOneModel ? 0 : write.model instanceof UpdateOneModel ? 1 : 2;
    }

    private static List<Write> withoutFailedRounds(List<Write> writes) {
        List<Write> left = new ArrayList<>(writes.size());
        for (Write write : writes) {
            if (write.roundFailed.get()) {
                write.done.completeExceptionally(new IllegalStateException(
                        "not written: an earlier write of the same round failed"));
            } else {
                left.add(write);
            }
        }
        return left;
    }

    /** Completes writes that were applied, finding out per update only when the total falls short. */
    private static void settle(List<Write> applied, int matched, int deleted) {
        long updates = applied.stream().filter(write -> write.model instanceof UpdateOneModel).count();
        long deletes = applied.stream().filter(write -> write.model instanceof DeleteOneModel).count();
        for (Write write : applied) {
            boolean all = write.model instanceof DeleteOneModel ? deleted == deletes : matched == updates;
            write.done.complete(write.recheck == null || all || recheck(write));
        }
    }

    private static boolean recheck(Write write) {
        try {
            return write.recheck.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Fails writes queued after the writers were closed; other writers' stop signals stay queued. */
    private void failRemaining() {
        List<List<Write>> left = new ArrayList<>();
        queue.drainTo(left);
        for (List<Write> unit : left) {
            if (unit == STOP) {
                queue.add(STOP);
            } else {
                unit.forEach(write -> write.done.completeExceptionally(
                        new IllegalStateException("the database writer is closed")));
            }
        }
    }

    /** Writes what is queued, then stops; writes submitted later throw. */
    @Override
    public void close() {
        open = false;
        writers.forEach(writer -> queue.add(STOP));
        try {
            for (Thread writer : writers) {
                writer.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writers.stream().noneMatch(Thread::isAlive)) { // a writer still sending needs its senders
            senders.shutdown();
        }
    }

    /** Bulk writes, each of one collection and one kind, that go one after the other. */
    private record Chain(List<List<Write>> bulks) {
    }

    private record Write(MongoCollection<Document> collection, WriteModel<Document> model, BooleanSupplier recheck,
                         AtomicBoolean roundFailed, CompletableFuture<Boolean> done) {

        void fail(Throwable error) {
            roundFailed.set(true);
            done.completeExceptionally(error);
        }
    }
}
