package org.parsepush.gateway.job;

import java.time.Duration;

/** Counts a job's batches on their way, so the job can wait for the last answer. */
final class InFlight {

    private int batches;

    synchronized void begin() {
        batches++;
    }

    synchronized void end() {
        if (--batches == 0) {
            notifyAll();
        }
    }

    /** Waits until no batch is left, running {@code everyTick} at least once per {@code tick}. */
    void awaitNone(Duration tick, Runnable everyTick) throws InterruptedException {
        while (true) {
            synchronized (this) {
                if (batches == 0) {
                    return;
                }
                wait(tick.toMillis());
            }
            everyTick.run();
        }
    }
}
