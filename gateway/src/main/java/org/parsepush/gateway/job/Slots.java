package org.parsepush.gateway.job;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of places to run jobs in, with the threads that run them. A job first takes
 * a slot, then runs; the slot is free again when the job ends. Threads idle for a minute go
 * away, so a large pool costs nothing while it is quiet.
 */
final class Slots {

    private final int size;
    private final Semaphore free;
    private final ThreadPoolExecutor threads;

    Slots(String name, int size) {
        this.size = size;
        this.free = new Semaphore(size);
        // Never more queued than free slots allow: the semaphore bounds what is submitted.
        this.threads = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(name, true));
        this.threads.allowCoreThreadTimeOut(true);
    }

    boolean tryTake() {
        return free.tryAcquire();
    }

    void release() {
        free.release();
    }

    /** Slots in use. */
    int busy() {
        return size - free.availablePermits();
    }

    /** Runs {@code job} in a slot taken before; the slot is given back when it ends, then {@code after} runs. */
    void run(Runnable job, Runnable after) {
        try {
            threads.execute(() -> {
                try {
                    job.run();
                } finally {
                    free.release();
                    after.run();
                }
            });
        } catch (RuntimeException e) {
            free.release();
            throw e;
        }
    }

    void shutdown() {
        threads.shutdown();
    }

    boolean awaitTermination(long millis) throws InterruptedException {
        return threads.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    void shutdownNow() {
        threads.shutdownNow();
    }
}
