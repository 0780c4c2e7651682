package org.parsepush.gateway.audience;

import com.mongodb.MongoInterruptedException;
import com.mongodb.client.MongoCursor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;

/**
 * Reads a driver cursor one batch ahead of its consumer, on a thread of its own.
 *
 * <p>The sync driver fetches the next batch only when the current one is used up, so without
 * this the job stopped handing devices to the providers for every round trip and for the
 * database's time to produce the batch. Here that time overlaps the delivery of the batch
 * before. Memory stays bounded: at most {@link #BATCHES_AHEAD} batches wait, one is being
 * read and one consumed.
 *
 * <p>The first batch is read by the caller: an audience that fits in it (every small push)
 * starts no thread. Failures reach the consumer as the driver threw them, so a lost cursor
 * is still recognised as the database going away.
 */
final class ReadAhead implements Iterator<Installation>, AutoCloseable {

    private static final int BATCHES_AHEAD = 2;
    private static final long HAND_OVER_POLL_MILLIS = 100;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final MongoCursor<Document> cursor;
    /** Batches of the reader, in order; an empty batch is the end, a RuntimeException a failure. */
    private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(BATCHES_AHEAD);
    /** The thread reading after the first batch; null when the first batch was all there is. */
    private final Thread reader;
    private volatile boolean closed;
    private Iterator<Installation> current;
    private boolean ended;

    ReadAhead(MongoCursor<Document> cursor) {
        this.cursor = cursor;
        try {
            current = readBatch().iterator();
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
        if (cursor.getServerCursor() == null) {
            ended = true;
            reader = null;
        } else {
            reader = new Thread(this::readTheRest, "audience-read-ahead-" + THREADS.incrementAndGet());
            reader.setDaemon(true);
            reader.start();
        }
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext()) {
            if (ended) {
                return false;
            }
            Object next = take();
            if (next instanceof RuntimeException failure) {
                ended = true;
                throw failure;
            }
            @SuppressWarnings("unchecked")
            List<Installation> batch = (List<Installation>) next;
            ended = batch.isEmpty();
            current = batch.iterator();
        }
        return true;
    }

    @Override
    public Installation next() {
        return current.next();
    }

    /** Stops the reader after its current round trip; it closes the driver cursor itself. */
    @Override
    public void close() {
        closed = true;
        if (reader == null) {
            cursor.close();
        }
    }

    /** One driver batch: at most one round trip to the database. Empty at the end. */
    private List<Installation> readBatch() {
        if (!cursor.hasNext()) {
            return List.of();
        }
        List<Installation> batch = new ArrayList<>(cursor.available());
        do {
            batch.add(Installation.fromDocument(cursor.next()));
        } while (cursor.available() > 0);
        return batch;
    }

    private void readTheRest() {
        try {
            List<Installation> batch;
            do {
                batch = readBatch();
            } while (handOver(batch) && !batch.isEmpty());
        } catch (RuntimeException e) {
            handOver(e);
        } catch (Error e) {
            handOver(new IllegalStateException("reading the audience failed", e));
            throw e;
        } finally {
            closeQuietly();
        }
    }

    /** Waits for room in the queue; false when the consumer closed the cursor meanwhile. */
    private boolean handOver(Object item) {
        try {
            while (!closed) {
                if (ready.offer(item, HAND_OVER_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private Object take() {
        try {
            return ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MongoInterruptedException("interrupted while waiting for the audience's next batch", e);
        }
    }

    private void closeQuietly() {
        try {
            cursor.close();
        } catch (RuntimeException ignored) {
            // The database is away; the server forgets the cursor on its own after its timeout.
        }
    }
}
