package org.parsepush.gateway.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due jobs from every app's database and runs them, at most a fixed number at a
 * time. Runs on one thread; woken at once when a push is accepted or a job ends, and
 * otherwise polls, which is also how it notices jobs whose replica died.
 */
final class JobScheduler implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(JobScheduler.class);
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);
    private static final Duration LAG_EVERY = Duration.ofSeconds(5);

    private final Collection<ParseApp> apps;
    private final JobContext context;
    private final Slots slots;
    private final Slots express;
    private final SmallPushes smallPushes;
    private final Counter claims;
    private final Duration pollInterval;
    private final AtomicLong queueLagMillis = new AtomicLong();
    private final RunningHere runningHere = new RunningHere();
    private final Object wakeUp = new Object();
    private volatile boolean running = true;
    private boolean woken;
    /** The last look for due jobs ran out of slots: a job that ends should look again at once. */
    private volatile boolean backlog;
    // Housekeeping runs on the machine's monotonic time: the domain clock may be moved by tests.
    private long nextPurgeNanos = System.nanoTime();
    private long nextAdoptionNanos = System.nanoTime();
    private long nextLagNanos = System.nanoTime();
    private final Duration parseScheduledPoll;
    private Instant nextComplaint = Instant.MIN;

    JobScheduler(Collection<ParseApp> apps, JobContext context, int maxConcurrent, int maxConcurrentSmall,
                 int maxWaitingSmall, Duration pollInterval, Duration parseScheduledPoll, MeterRegistry registry) {
        this.parseScheduledPoll = parseScheduledPoll;
        this.apps = apps;
        this.context = context;
        this.slots = new Slots("push-job", maxConcurrent);
        this.express = new Slots("push-small", maxConcurrentSmall);
        this.smallPushes = new SmallPushes(express, maxWaitingSmall, runningHere, context, registry);
        this.claims = Counter.builder("gateway.push.jobs.claimed")
                .description("Jobs this replica took from the database queue, one claim each").register(registry);
        this.pollInterval = pollInterval;
        Gauge.builder("gateway.push.jobs.running", () -> slots.busy() + express.busy())
                .description("Push jobs this replica is running").register(registry);
        Gauge.builder("gateway.push.queue.lag", () -> queueLagMillis.get() / 1000.0)
                .description("Seconds the oldest due job has waited to start").baseUnit("seconds").register(registry);
    }

    /** Looks for due jobs now rather than at the next poll. */
    void wake() {
        synchronized (wakeUp) {
            woken = true;
            wakeUp.notifyAll();
        }
    }

    /** Where a push that is due now runs. */
    enum Start {
        /** At once on this replica, in a free slot for pushes. */
        JOB_SLOT,
        /** At once on this replica, in a free slot for small pushes. */
        SMALL_PUSH_SLOT,
        /** On this replica, when a slot for small pushes frees (see {@link SmallPushes}). */
        SMALL_PUSH_QUEUE,
        /** As a pending job in the database, claimed by whichever replica has a free slot. */
        DATABASE_QUEUE;

        /** Whether the push's job is stored already held by this replica. */
        boolean heldHere() {
            return this != DATABASE_QUEUE;
        }

        boolean atOnce() {
            return this == JOB_SLOT || this == SMALL_PUSH_SLOT;
        }
    }

    /**
     * Reserves where a push due now runs. Small pushes (a few explicit devices, the
     * transactional kind) have slots of their own and a queue on this replica, so they neither
     * wait behind campaigns nor cost a claim each; a large one starts here when a slot is free.
     */
    Start reserve(boolean small) {
        if (!running) {
            return Start.DATABASE_QUEUE;
        }
        if (small) {
            return smallPushes.reserve();
        }
        return slots.tryTake() ? Start.JOB_SLOT : Start.DATABASE_QUEUE;
    }

    /** Runs a job this replica stored already held, in the place {@link #reserve(boolean)} gave it. */
    void startReserved(ParseApp app, Document job, Start start) {
        if (start == Start.JOB_SLOT) {
            runningHere.add(app, job);
            start(app, job, slots);
        } else {
            smallPushes.run(app, job, start);
        }
    }

    /** Gives back what {@link #reserve(boolean)} took, for a push that was not stored. */
    void releaseReserved(Start start) {
        if (start == Start.JOB_SLOT) {
            slots.release();
        } else {
            smallPushes.giveBack(start);
        }
    }

    void stop() {
        running = false;
        wake();
    }

    @Override
    public void run() {
        boolean indexed = false;
        while (running) {
            try {
                if (!indexed) {
                    createIndexes();
                    indexed = true;
                }
                adoptParseScheduledPushesIfDue();
                claimDueJobs();
                purgeExpiredIfDue();
            } catch (RuntimeException e) {
                complain(e);
            }
            sleep();
        }
    }

    private void createIndexes() {
        for (ParseApp app : apps) {
            app.jobs().createIndexes();
            app.outcomes().createIndexes();
            app.statuses().listIndex().ensureOrWarn(app.appId(), "every page of ListPushes, and of Parse "
                    + "Dashboard's list of pushes, sorts the whole collection. Create it by hand");
            if (!parseScheduledPoll.isZero()) {
                app.statuses().scheduledIndex().ensureOrWarn(app.appId(), "every look for pushes Parse Server "
                        + "scheduled reads the whole collection. Create it by hand, or set "
                        + "jobs.parseScheduledPollMillis to 0 if Parse Server does not schedule pushes "
                        + "(scheduledPush: false)");
            }
        }
    }

    private void claimDueJobs() {
        backlog = false;
        for (ParseApp app : apps) {
            while (running) {
                if (!slots.tryTake()) {
                    backlog = true;
                    break;
                }
                Optional<Document> claimed;
                try {
                    claimed = app.jobs().claim(context.owner(), context.clock().instant(), context.lease());
                } catch (RuntimeException e) {
                    // The database is away: give the slot back, or every failed poll keeps one
                    // and the replica never runs a push again.
                    slots.release();
                    throw e;
                }
                if (claimed.isEmpty()) {
                    slots.release();
                    break;
                }
                claims.increment();
                if (!runningHere.add(app, claimed.get())) {
                    // Our own job, running or waiting here: its lease only looked expired (a clock jump, a long wait).
                    slots.release();
                    continue;
                }
                start(app, claimed.get(), slots);
            }
        }
        measureQueueLagIfDue();
    }

    /** The queue-lag gauge costs a query per app: refreshed every few seconds, not every poll. */
    private void measureQueueLagIfDue() {
        if (System.nanoTime() - nextLagNanos < 0) {
            return;
        }
        nextLagNanos = System.nanoTime() + LAG_EVERY.toNanos();
        long lag = 0;
        Instant now = context.clock().instant();
        for (ParseApp app : apps) {
            lag = Math.max(lag, app.jobs().oldestWaiting(now).map(due -> Duration.between(due, now).toMillis()).orElse(0L));
        }
        queueLagMillis.set(lag);
    }

    private void start(ParseApp app, Document job, Slots pool) {
        try {
            pool.run(() -> {
                try {
                    new PushJob(app, job, context).run();
                } finally {
                    runningHere.remove(app, job);
                }
            }, this::wakeIfBacklog);
        } catch (RuntimeException e) {
            runningHere.remove(app, job);
            throw e;
        }
    }

    /** A slot came free: look for due jobs at once only if some were left waiting for one. */
    private void wakeIfBacklog() {
        if (backlog) {
            wake();
        }
    }

    /**
     * Lets go of the small pushes waiting for a slot, then stops the job threads; running jobs
     * get {@code graceMillis} to end. False when some did not.
     */
    boolean shutdownJobs(long graceMillis) throws InterruptedException {
        smallPushes.releaseWaiting();
        slots.shutdown();
        express.shutdown();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(graceMillis);
        boolean ended = slots.awaitTermination(graceMillis)
                & express.awaitTermination(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
        if (!ended) {
            slots.shutdownNow();
            express.shutdownNow();
            slots.awaitTermination(5000);
            express.awaitTermination(5000);
        }
        return ended;
    }

    private void adoptParseScheduledPushesIfDue() {
        if (parseScheduledPoll.isZero() || System.nanoTime() - nextAdoptionNanos < 0) {
            return;
        }
        nextAdoptionNanos = System.nanoTime() + parseScheduledPoll.toNanos();
        for (ParseApp app : apps) {
            ParseScheduledPushes.adopt(app, context.clock().instant());
        }
    }

    /** Removes what outlived its retention: outcomes, finished jobs, idempotency keys. */
    private void purgeExpiredIfDue() {
        if (System.nanoTime() - nextPurgeNanos < 0) {
            return;
        }
        nextPurgeNanos = System.nanoTime() + PURGE_EVERY.toNanos();
        Instant now = context.clock().instant();
        for (ParseApp app : apps) {
            app.outcomes().purgeExpired(now);
            app.jobs().purgeExpired(now);
        }
    }

    private void sleep() {
        synchronized (wakeUp) {
            if (!woken && running) {
                try {
                    wakeUp.wait(pollInterval.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            woken = false;
        }
    }

    /** Says once a minute that the database is away, rather than on every poll. */
    private void complain(RuntimeException e) {
        Instant now = Instant.now();
        if (now.isAfter(nextComplaint)) {
            nextComplaint = now.plus(Duration.ofMinutes(1));
            log.warn("cannot look for due pushes: {}", e.toString());
        }
    }
}
