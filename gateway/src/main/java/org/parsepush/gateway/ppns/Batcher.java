package org.parsepush.gateway.ppns;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Hands queued items to one handler in batches, one batch at a time and in arrival order.
 * No item waits for a timer: a lone item is handled at once, and while a batch waits on the
 * database the next one gathers. A reconnect storm of thousands of devices thus costs the
 * database a few hundred round trips instead of one or two per device.
 *
 * @param <T> what is queued
 */
final class Batcher<T> {

    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final int maxBatch;
    private final Executor executor;
    private final Consumer<List<T>> handler;

    /** @param handler runs on {@code executor}; must not throw (it owns its items' failures) */
    Batcher(int maxBatch, Executor executor, Consumer<List<T>> handler) {
        this.maxBatch = maxBatch;
        this.executor = executor;
        this.handler = handler;
    }

    void add(T item) {
        queue.add(item);
        schedule();
    }

    private void schedule() {
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drainOnce);
            } catch (RejectedExecutionException e) {
                // Shutting down: nothing will handle the queue any more.
                scheduled.set(false);
            }
        }
    }

    private void drainOnce() {
        try {
            List<T> batch = new ArrayList<>(Math.min(maxBatch, 64));
            for (T item; batch.size() < maxBatch && (item = queue.poll()) != null; ) {
                batch.add(item);
            }
            if (!batch.isEmpty()) {
                handler.accept(batch);
            }
        } finally {
            scheduled.set(false);
            schedule();
        }
    }
}
