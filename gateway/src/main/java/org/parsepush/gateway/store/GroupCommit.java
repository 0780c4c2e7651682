package org.parsepush.gateway.store;

import com.mongodb.MongoBulkWriteException;
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
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Single-document writes from many threads, sent to MongoDB together: whatever queued up
 * while the previous round trip was out goes as one ordered bulk write per collection. A
 * caller still waits for its own write (the API stays blocking), but a thousand pushes
 * accepted at once cost a handful of round trips instead of thousands, on any MongoDB.
 *
 * <p>The queue needs no bound of its own: every writer waits for its write, so at most one
 * write per waiting thread is queued, and those threads are bounded where they come from.
 */
public final class GroupCommit implements AutoCloseable {

    private static final int MAX_BATCH = 1000;
    private static final Write STOP = new Write(null, null, null, new CompletableFuture<>());

    private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean open = true;

    public GroupCommit(String name) {
        this.writer = new DefaultThreadFactory(name, true).newThread(this::run);
        this.writer.start();
    }

    /** Inserts one document; throws as {@code insertOne} would (a duplicate key as {@link MongoWriteException}). */
    public void insert(MongoCollection<Document> collection, Document document) {
        await(submit(collection, new InsertOneModel<>(document), null));
    }

    /** Inserts documents, in order, as part of the next round trip. */
    public void insertAll(MongoCollection<Document> collection, List<Document> documents) {
        List<CompletableFuture<Boolean>> done = new ArrayList<>(documents.size());
        for (Document document : documents) {
            done.add(submit(collection, new InsertOneModel<>(document), null));
        }
        done.forEach(GroupCommit::await);
    }

    /**
     * Updates the one document {@code filter} matches and says whether it matched. A bulk
     * write reports only how many of its updates matched in all; when that falls short,
     * {@code recheck} is asked (on the writer thread) whether this update was applied.
     */
    public boolean update(MongoCollection<Document> collection, Bson filter, Bson update, BooleanSupplier recheck) {
        return await(submit(collection, new UpdateOneModel<>(filter, update), recheck));
    }

    /** Updates the one document {@code filter} matches, when it does; no answer needed. */
    public void update(MongoCollection<Document> collection, Bson filter, Bson update) {
        await(submit(collection, new UpdateOneModel<>(filter, update), null));
    }

    /**
     * Deletes the one document {@code filter} matches and says whether it did; as with
     * {@link #update(MongoCollection, Bson, Bson, BooleanSupplier)}, {@code recheck} answers
     * when the bulk write's total falls short.
     */
    public boolean delete(MongoCollection<Document> collection, Bson filter, BooleanSupplier recheck) {
        return await(submit(collection, new DeleteOneModel<>(filter), recheck));
    }

    private CompletableFuture<Boolean> submit(MongoCollection<Document> collection, WriteModel<Document> model,
                                              BooleanSupplier recheck) {
        if (!open) {
            throw new IllegalStateException("the database writer is closed");
        }
        Write write = new Write(collection, model, recheck, new CompletableFuture<>());
        queue.add(write);
        return write.done;
    }

    private static boolean await(CompletableFuture<Boolean> done) {
        try {
            return done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void run() {
        List<Write> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            stopping = batch.remove(STOP);
            for (List<Write> writes : byCollection(batch).values()) {
                writeAll(writes);
            }
            batch.clear();
        }
        failRemaining();
    }

    private static Map<MongoCollection<Document>, List<Write>> byCollection(List<Write> batch) {
        Map<MongoCollection<Document>, List<Write>> groups = new IdentityHashMap<>();
        for (Write write : batch) {
            groups.computeIfAbsent(write.collection, collection -> new ArrayList<>()).add(write);
        }
        return groups;
    }

    /** One ordered bulk write; after a failed write, the ones behind it go in the next. */
    private void writeAll(List<Write> writes) {
        List<Write> rest = writes;
        while (!rest.isEmpty()) {
            MongoCollection<Document> collection = rest.get(0).collection;
            try {
                BulkWriteResult result = collection.bulkWrite(rest.stream().map(Write::model).toList(),
                        new BulkWriteOptions().ordered(true));
                settle(rest, result.getMatchedCount(), result.getDeletedCount());
                return;
            } catch (MongoBulkWriteException e) {
                if (e.getWriteErrors().isEmpty()) { // a write-concern error: nothing is known to be durable
                    rest.forEach(write -> write.done.completeExceptionally(e));
                    return;
                }
                BulkWriteError error = e.getWriteErrors().get(0);
                int failed = error.getIndex();
                settle(rest.subList(0, failed), e.getWriteResult().getMatchedCount(),
                        e.getWriteResult().getDeletedCount());
                rest.get(failed).done.completeExceptionally(new MongoWriteException(
                        new WriteError(error.getCode(), error.getMessage(), error.getDetails()),
                        e.getServerAddress(), e.getErrorLabels()));
                rest = rest.subList(failed + 1, rest.size());
            } catch (RuntimeException e) {
                rest.forEach(write -> write.done.completeExceptionally(e));
                return;
            }
        }
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

    private void failRemaining() {
        List<Write> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(write -> write.done.completeExceptionally(new IllegalStateException("the database writer is closed")));
    }

    /** Writes what is queued, then stops; writes submitted later throw. */
    @Override
    public void close() {
        open = false;
        queue.add(STOP);
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Write(MongoCollection<Document> collection, WriteModel<Document> model, BooleanSupplier recheck,
                         CompletableFuture<Boolean> done) {
    }
}
