package org.parsepush.gateway.config;

import java.time.Duration;
import java.util.List;

/** How pushes are fanned out: batching, retries, concurrency. */
public final class DeliverySettings {

    private int batchSize = 500;
    private int cursorBatchSize = 1000;
    private int maxAttempts = 5;
    private int initialBackoffMillis = 500;
    private int maxBackoffMillis = 30_000;
    private int requestTimeoutSeconds = 30;
    private int maxConcurrentPushes = 4;
    private int maxConcurrentSmallPushes = 256;
    private int maxQueuedSmallPushes = 1000;
    private int maxPendingCalls = 1000;
    private int maxSubqueryResults = 100_000;
    private int statusFlushMillis = 1000;
    private int uncommittedWindows = 2;

    /** Devices handed to a provider at a time. */
    public int batchSize() {
        return batchSize;
    }

    /** Installations fetched from MongoDB per round trip of the audience cursor. */
    public int cursorBatchSize() {
        return cursorBatchSize;
    }

    /** Tries per device for throttled or unavailable providers, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The wait before the first retry; doubled per retry, with jitter. */
    public Duration initialBackoff() {
        return Duration.ofMillis(initialBackoffMillis);
    }

    /** The longest wait between retries (a provider's Retry-After may ask for more). */
    public Duration maxBackoff() {
        return Duration.ofMillis(maxBackoffMillis);
    }

    /** How long a provider may take to answer a batch before it is retried. */
    public Duration requestTimeout() {
        return Duration.ofSeconds(requestTimeoutSeconds);
    }

    /** Pushes fanned out at the same time; more wait their turn. */
    public int maxConcurrentPushes() {
        return maxConcurrentPushes;
    }

    /**
     * Small pushes (explicit devices, at most {@link #batchSize()}) running at the same time,
     * apart from {@link #maxConcurrentPushes()}: transactional pushes do not queue behind campaigns.
     */
    public int maxConcurrentSmallPushes() {
        return maxConcurrentSmallPushes;
    }

    /**
     * Small pushes accepted on this replica that wait, in order, for one of the
     * {@link #maxConcurrentSmallPushes()} slots to free. Their jobs are stored already held by
     * this replica, so they never go through the database queue (no claim each); beyond this
     * bound a small push is stored as a pending job that any replica claims. Each waiting push
     * keeps its job document in memory (its data and devices), and the job collection a
     * running push's writes look through grows by as many: about one second of throughput is
     * enough to ride out bursts. 0: a push that finds no free slot goes to the database queue.
     */
    public int maxQueuedSmallPushes() {
        return maxQueuedSmallPushes;
    }

    /**
     * SendPush and DeliverBatch calls being taken in at once; more are refused with
     * RESOURCE_EXHAUSTED and a retry hint rather than queued without bound.
     */
    public int maxPendingCalls() {
        return maxPendingCalls;
    }

    /** The most objects an inner {@code $inQuery}/{@code $notInQuery} may match. */
    public int maxSubqueryResults() {
        return maxSubqueryResults;
    }

    /** How often a running push writes its counts to {@code _PushStatus}. */
    public Duration statusFlush() {
        return Duration.ofMillis(statusFlushMillis);
    }

    /**
     * Devices a push may have sent but not yet checkpointed, per lane, in multiples of the
     * lane's in-flight limit: what a crash may send twice. With 1, sending stops for every
     * checkpoint write; 2 lets the next window go out while the last one's is written.
     */
    public int uncommittedWindows() {
        return uncommittedWindows;
    }

    void collectProblems(List<String> problems) {
        positive("delivery.batchSize", batchSize, problems);
        positive("delivery.cursorBatchSize", cursorBatchSize, problems);
        positive("delivery.maxAttempts", maxAttempts, problems);
        positive("delivery.initialBackoffMillis", initialBackoffMillis, problems);
        positive("delivery.maxBackoffMillis", maxBackoffMillis, problems);
        positive("delivery.requestTimeoutSeconds", requestTimeoutSeconds, problems);
        positive("delivery.maxConcurrentPushes", maxConcurrentPushes, problems);
        positive("delivery.maxConcurrentSmallPushes", maxConcurrentSmallPushes, problems);
        if (maxQueuedSmallPushes < 0) {
            problems.add("delivery.maxQueuedSmallPushes must be at least 0, got " + maxQueuedSmallPushes);
        }
        positive("delivery.maxPendingCalls", maxPendingCalls, problems);
        positive("delivery.maxSubqueryResults", maxSubqueryResults, problems);
        positive("delivery.statusFlushMillis", statusFlushMillis, problems);
        positive("delivery.uncommittedWindows", uncommittedWindows, problems);
    }

    private static void positive(String key, int value, List<String> problems) {
        if (value < 1) {
            problems.add(key + " must be at least 1, got " + value);
        }
    }
}
