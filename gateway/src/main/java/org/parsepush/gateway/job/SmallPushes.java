package org.parsepush.gateway.job;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs small pushes (a few explicit devices, the transactional kind) on the replica that
 * accepted them, never through the database queue: at once in a free small-push slot, or
 * else after those already waiting, from a bounded in-memory queue. Either way the job is
 * stored already held by this replica before the caller gets the push id, so a replica that
 * dies with pushes waiting leaves them to another replica once their lease runs out.
 *
 * <p>Why not the database queue: each push taken from it costs a claim, a sorted search of
 * the job collection; under load the claims slow every write to the collection, pushes hold
 * their slots longer, more of them overflow into the queue, and the replica collapses
 * instead of degrading. Waiting here costs one read by {@code _id} when the slot frees.
 */
final class SmallPushes {

    private static final Logger log = LoggerFactory.getLogger(SmallPushes.class);

    private final Slots slots;
    private final WaitingSmallPushes waiting;
    private final RunningHere runningHere;
    private final JobContext context;

    SmallPushes(Slots slots, int maxWaiting, RunningHere runningHere, JobContext context, MeterRegistry registry) {
        this.slots = slots;
        this.waiting = new WaitingSmallPushes(maxWaiting);
        this.runningHere = runningHere;
        this.context = context;
        Gauge.builder("gateway.push.small.waiting", waiting::size)
                .description("Small pushes held by this replica, waiting for a slot").register(registry);
    }

    /**
     * Where a small push accepted now runs: a free slot when nobody waits for one (a new push
     * must not overtake those waiting), else a place in the queue, else the database queue.
     */
    JobScheduler.Start reserve() {
        if (!waiting.anyPlaceTaken() && slots.tryTake()) {
            return JobScheduler.Start.SMALL_PUSH_SLOT;
        }
        return waiting.reserve() ? JobScheduler.Start.SMALL_PUSH_QUEUE : JobScheduler.Start.DATABASE_QUEUE;
    }

    /** Gives back what {@link #reserve()} took, for a push that was not stored. */
    void giveBack(JobScheduler.Start start) {
        if (start == JobScheduler.Start.SMALL_PUSH_SLOT) {
            slots.release();
        } else if (start == JobScheduler.Start.SMALL_PUSH_QUEUE) {
            waiting.unreserve();
        }
    }

    /** Runs a job stored held by this replica, in the place {@link #reserve()} gave it. */
    void run(ParseApp app, Document job, JobScheduler.Start start) {
        runningHere.add(app, job);
        if (start == JobScheduler.Start.SMALL_PUSH_SLOT) {
            launch(new WaitingSmallPushes.Waiting(app, job), false);
            return;
        }
        if (!waiting.fill(new WaitingSmallPushes.Waiting(app, job))) {
            letGo(List.of(new WaitingSmallPushes.Waiting(app, job))); // the replica is stopping
            return;
        }
        startWaiting();
    }

    /**
     * Starts waiting pushes while slots are free. Called after a push joins the queue and after
     * every push ends, each after its own change, so a push never waits beside a free slot.
     */
    private void startWaiting() {
        while (waiting.hasWaiting() && slots.tryTake()) {
            WaitingSmallPushes.Waiting next = waiting.poll();
            if (next == null) {
                slots.release(); // another caller took it first
                continue;
            }
            launch(next, true);
        }
    }

    private void launch(WaitingSmallPushes.Waiting push, boolean waited) {
        try {
            slots.run(() -> {
                try {
                    if (!waited || stillHeld(push)) {
                        new PushJob(push.app(), push.job(), context).run();
                    }
                } finally {
                    runningHere.remove(push.app(), push.job());
                }
            }, this::startWaiting);
        } catch (RuntimeException e) {
            // The slots were shut down (the replica is stopping): the push is stored, it resumes elsewhere.
            letGo(List.of(push));
        }
    }

    /**
     * Whether this replica still holds a push that waited: it may have been cancelled (by any
     * replica), or taken over when its lease ran out. The job's own first steps skip that check
     * for a push that starts the moment it was stored.
     */
    private boolean stillHeld(WaitingSmallPushes.Waiting push) {
        String pushId = push.job().getString(JobStore.ID);
        try {
            if (push.app().jobs().confirmHeld(pushId, context.owner(), context.clock().instant(), context.lease())) {
                return true;
            }
            log.info("push {} of app '{}' was cancelled or taken over while it waited for a slot; not sent here",
                    pushId, push.app().appId());
        } catch (RuntimeException e) {
            log.warn("push {} of app '{}': cannot check its lease ({}); it resumes when the lease runs out",
                    pushId, push.app().appId(), e.toString());
        }
        return false;
    }

    /**
     * Takes no more pushes into the queue and lets go of those waiting at once, so another
     * replica (or the next start) runs them without waiting for their lease to run out.
     */
    void releaseWaiting() {
        letGo(waiting.close());
    }

    private void letGo(List<WaitingSmallPushes.Waiting> pushes) {
        Map<ParseApp, List<Document>> byApp = pushes.stream().collect(Collectors.groupingBy(
                WaitingSmallPushes.Waiting::app, Collectors.mapping(WaitingSmallPushes.Waiting::job,
                        Collectors.toList())));
        byApp.forEach((app, jobs) -> {
            jobs.forEach(job -> runningHere.remove(app, job));
            List<String> ids = jobs.stream().map(job -> job.getString(JobStore.ID)).toList();
            try {
                app.jobs().release(ids, context.owner());
                log.info("{} waiting pushes of app '{}' left to another replica or the next start", ids.size(),
                        app.appId());
            } catch (RuntimeException e) {
                log.warn("{} waiting pushes of app '{}' resume when their lease runs out: {}", ids.size(),
                        app.appId(), e.toString());
            }
        });
    }
}
