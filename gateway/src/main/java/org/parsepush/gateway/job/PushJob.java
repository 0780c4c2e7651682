package org.parsepush.gateway.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.audience.AudienceCursor;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.audience.ResolvedAudience;
import org.parsepush.gateway.config.OutcomeSettings;
import org.parsepush.gateway.delivery.Lane;
import org.parsepush.gateway.delivery.Outcome;
import org.parsepush.gateway.delivery.Prepared;
import org.parsepush.gateway.delivery.Provider;
import org.parsepush.gateway.delivery.Reason;
import org.parsepush.gateway.delivery.Route;
import org.parsepush.gateway.delivery.Router;
import org.parsepush.gateway.push.PushMessage;
import org.parsepush.gateway.report.PushCounts;
import org.parsepush.gateway.report.PushState;
import org.parsepush.gateway.report.TokenCleanup;
import org.parsepush.gateway.store.GroupCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed push job (or one wave of a local-time push): streams the audience from
 * its checkpoint, routes each installation, hands full batches to delivery per lane, and
 * commits outcomes, counts and checkpoints together as batches come back. The cursor only
 * moves as fast as the lanes' windows allow, so memory stays bounded, and a replica that
 * takes the job over resends at most the devices that were in flight.
 */
final class PushJob implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PushJob.class);
    private static final int UNROUTED_WINDOW = 10_000;
    private static final int MAX_ERROR_DETAILS = 5;

    private final ParseApp app;
    private final JobSpec spec;
    private final Document job;
    private final JobContext context;
    private final JobStore jobs;
    private final String pushId;

    private final InFlight inFlight = new InFlight();
    private final Map<Provider<?>, Prepared<?>> prepared = new HashMap<>();
    private final Map<Lane, Pending> pending = new HashMap<>();
    private final Set<String> credentialErrors = new LinkedHashSet<>();
    private final AtomicBoolean commitQueued = new AtomicBoolean();
    private final Object commitLock = new Object();
    private volatile boolean cancelled;
    private volatile boolean lost;
    private volatile boolean concluded;
    private Progress progress;
    private TokenCleanup cleanup;
    private PushMessage message;
    private Wave wave;
    private Pacer pacer;
    private boolean expiredDevices;
    private Instant nextKeepAlive;
    private Instant nextStatusWrite;

    PushJob(ParseApp app, Document job, JobContext context) {
        this.app = app;
        this.job = job;
        this.context = context;
        this.jobs = app.jobs();
        this.pushId = job.getString(JobStore.ID);
        this.spec = JobSpec.fromDocument(pushId, job.get(JobStore.SPEC, Document.class));
    }

    @Override
    public void run() {
        try {
            runClaimed();
        } catch (InterruptedException | com.mongodb.MongoInterruptedException e) {
            // The driver reports an interrupt during a database call as its own exception.
            Thread.interrupted(); // clear it so the database calls below can still run
            releaseLease();
            Thread.currentThread().interrupt();
            log.warn("push {} of app '{}' interrupted; another replica or a restart resumes it", pushId, app.appId());
        } catch (RuntimeException e) {
            if (databaseAway(e)) {
                pauseForDatabase(e);
                return;
            }
            log.error("push {} of app '{}' stopped: {}", pushId, app.appId(), e.toString());
            finishFailed(e);
        }
    }

    /**
     * True for a failure of the database connection rather than of the push: the server went
     * away (or restarted and forgot the audience cursor). Such a push is not failed; it is
     * resumed from its checkpoint once the database answers again.
     */
    static boolean databaseAway(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof com.mongodb.MongoSocketException || cause instanceof com.mongodb.MongoTimeoutException
                    || cause instanceof com.mongodb.MongoConnectionPoolClearedException
                    || cause instanceof com.mongodb.MongoCursorNotFoundException
                    || cause instanceof com.mongodb.MongoNotPrimaryException
                    || cause instanceof com.mongodb.MongoNodeIsRecoveringException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The database went away mid-push: waits for the batches on their way, commits what they
     * reached if the database is back, and lets go of the job. The scheduler (this replica's
     * or another's) picks it up again once the database answers, from the last checkpoint:
     * at most the uncommitted window is sent twice, nothing is lost and the push is not failed.
     */
    private void pauseForDatabase(RuntimeException e) {
        log.warn("push {} of app '{}' paused: the database is unavailable ({}); it resumes from its checkpoint",
                pushId, app.appId(), e.toString());
        try {
            inFlight.awaitNone(context.settings().statusFlush(), () -> { });
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        releaseLease();
        synchronized (commitLock) {
            concluded = true; // this run is over: nothing it still holds may be written later
        }
    }

    private void runClaimed() throws InterruptedException {
        Instant now = context.clock().instant();
        wave = Wave.of(spec, job, now);
        progress = Progress.fromDocument(job.get(JobStore.PROGRESS, Document.class));
        if (!prepareFirstRun(now)) {
            return;
        }
        message = spec.message(wave.sendTime());
        pacer = new Pacer(spec.devicesPerSecond());
        nextKeepAlive = now.plus(context.lease().dividedBy(3));
        // Small pushes finish before their first status write is due: they write the status once, at the end.
        nextStatusWrite = now.plus(context.settings().statusFlush());
        fanOut();
        inFlight.awaitNone(context.settings().statusFlush(), this::keepAlive);
        if (!lost) {
            commit(false);
        }
        conclude();
    }

    /** Marks the push running and does the once-per-push work, recording it so a takeover does not redo it. */
    private boolean prepareFirstRun(Instant now) {
        Date cleanupSince = job.getDate(JobStore.CLEANUP_SINCE);
        Document once = new Document("wave", wave.toDocument());
        boolean nothingRecordedYet = cleanupSince != null && job.get(JobStore.PROGRESS) == null
                && wave.toDocument() == null;
        boolean firstStart = cleanupSince == null;
        if (firstStart) {
            if (spec.message(now).badgeIncrement()) {
                app.audience().incrementBadges(audience(), Router.APPLE_TYPES);
            }
            // After the badge increment: its own updates must not shield tokens from cleanup.
            cleanupSince = Date.from(context.clock().instant());
            once.append("cleanupSince", cleanupSince);
        }
        cleanup = new TokenCleanup(app.database(), app.config().tokenCleanup() && spec.devices().isEmpty(),
                cleanupSince.toInstant());
        if (nothingRecordedYet) {
            return true; // just inserted, held by this replica: nothing to record yet
        }
        if (!jobs.checkpoint(pushId, context.owner(), now.plus(context.lease()), once)) {
            log.info("push {}: no longer held by this replica before it started", pushId);
            return false;
        }
        if (firstStart) {
            // The checkpoint just showed the job is ours and not cancelled; a cancel after it is
            // settled when the job ends (settleNotHeld), so the status is addressed by _id alone.
            status(statuses -> statuses.markRunning(pushId, now));
        }
        return true;
    }

    private ResolvedAudience audience() {
        if (!spec.devices().isEmpty()) {
            return new ResolvedAudience(null, null, spec.devices());
        }
        return app.audience().fromWhereJson(spec.whereJson());
    }

    private void fanOut() throws InterruptedException {
        ResolvedAudience audience = wave.restrict(audience());
        int position = 0;
        try (AudienceCursor cursor = app.audience().open(audience, progress.resumeAfter())) {
            while (cursor.hasNext() && !cancelled && !lost) {
                Installation device = cursor.next();
                String key = audience.explicit() ? String.format("#%08d", position++) : device.objectId();
                pacer.await();
                handle(device, key);
                keepAlive();
            }
        }
        for (Pending batch : new ArrayList<>(pending.values())) {
            dispatch(batch);
        }
        pending.clear();
    }

    private void handle(Installation device, String key) throws InterruptedException {
        Router.Routed routed = app.router().route(device);
        Route route = routed.route();
        String provider = routed.provider() == null ? null : routed.provider().name();
        String track = route.delivers() ? route.lane().name() : "unrouted:" + provider;
        if (progress.alreadyDone(track, key)) {
            progress.scanned(key);
            return;
        }
        Outcome immediate = null;
        if (wave.lacksTimeZone(device)) {
            immediate = Outcome.skipped(device, provider, Reason.NO_TIME_ZONE);
        } else if (!route.delivers()) {
            immediate = route.skipped() ? Outcome.skipped(device, provider, route.reason())
                    : Outcome.failed(device, provider, route.reason(), null, false);
        } else if (message.expiredAt(context.clock().instant())) {
            expiredDevices = true;
            immediate = Outcome.failed(device, provider, Reason.EXPIRED, "the push expired before this device", false);
        }
        if (immediate != null) {
            Progress.Segment segment = progress.add(track, UNROUTED_WINDOW, key);
            progress.close(segment);
            awaitWindow(segment);
            progress.complete(segment, List.of(immediate));
            requestCommit();
            return;
        }
        Lane lane = route.lane();
        Pending batch = pending.get(lane);
        Progress.Segment segment = progress.add(lane.name(),
                context.settings().uncommittedWindows() * lane.maxInFlight(), key);
        if (batch == null) {
            batch = new Pending(lane, routed.provider(), segment);
            pending.put(lane, batch);
        }
        batch.devices.add(device);
        if (batch.devices.size() >= Math.min(context.settings().batchSize(), lane.maxInFlight())) {
            pending.remove(lane);
            dispatch(batch);
        }
    }

    private void dispatch(Pending batch) throws InterruptedException {
        progress.close(batch.segment);
        if (!awaitWindow(batch.segment)) {
            return;
        }
        Prepared<?> rendered = prepared.computeIfAbsent(batch.provider, provider -> Prepared.of(provider, message));
        inFlight.begin();
        context.delivery().submit(rendered, batch.lane, batch.devices).whenComplete((outcomes, error) -> {
            try {
                List<Outcome> results = error == null ? outcomes : batch.devices.stream()
                        .map(device -> Outcome.failed(device, batch.provider.name(), Reason.PROVIDER_UNAVAILABLE,
                                error.toString(), false)).toList();
                context.metrics().record(app.appId(), results);
                progress.complete(batch.segment, results);
                requestCommit();
            } finally {
                inFlight.end();
            }
        });
    }

    /** Waits for room in the segment's window, keeping the lease alive; false when the job must stop. */
    private boolean awaitWindow(Progress.Segment segment) throws InterruptedException {
        long tick = Math.max(10, context.lease().dividedBy(6).toMillis());
        while (!progress.reserveWindow(segment, tick)) {
            keepAlive();
            if (cancelled || lost) {
                return false;
            }
        }
        return true;
    }

    /** Renews the lease (and commits) when due, also when nothing completes for a while. */
    private void keepAlive() {
        Instant now = context.clock().instant();
        if (!now.isBefore(nextKeepAlive)) {
            nextKeepAlive = now.plus(context.lease().dividedBy(3));
            commit(true);
        }
    }

    private void requestCommit() {
        if (commitQueued.compareAndSet(false, true)) {
            context.committer().execute(() -> {
                commitQueued.set(false);
                commit(false);
            });
        }
    }

    /**
     * Logs the completed outcomes, removes dead tokens, then persists counts and checkpoints
     * with the lease renewal in one write; only then do the devices leave the window. Without
     * new outcomes it writes only to renew the lease.
     */
    private void commit(boolean renewLease) {
        synchronized (commitLock) {
            if (lost || cancelled || concluded || !renewLease && !progress.hasUncommitted()) {
                return;
            }
            Instant now = context.clock().instant();
            try {
                Progress.Commit commit = progress.takeCommit(this::utcOffset);
                logOutcomes(commit.outcomes(), now);
                commit.outcomes().forEach(cleanup::add);
                noteCredentialErrors(commit.outcomes());
                cleanup.flush(now);
                // A small push's job is removed when it ends, and it ends within moments: it is
                // checkpointed only to keep its lease, not after every batch. Taken over, it resends
                // what came after its last checkpoint.
                boolean checkpoint = renewLease || !spec.removedWhenFinished();
                if (checkpoint && !jobs.checkpoint(pushId, context.owner(), now.plus(context.lease()),
                        new Document(JobStore.PROGRESS, commit.progress()))) {
                    stopNotHeld();
                    return;
                }
                progress.committed(commit);
                if (!now.isBefore(nextStatusWrite)) {
                    nextStatusWrite = now.plus(context.settings().statusFlush());
                    status(statuses -> statuses.writeCounts(pushId, progress.committedCounts(), now));
                }
            } catch (RuntimeException e) {
                // The database is away: nothing leaves the window, so the job waits for it.
                log.warn("push {}: cannot commit progress yet: {}", pushId, e.toString());
            }
        }
    }

    private void logOutcomes(List<Outcome> outcomes, Instant now) {
        OutcomeSettings.Record record = context.outcomes().record();
        if (record == OutcomeSettings.Record.none || outcomes.isEmpty()) {
            return;
        }
        List<Outcome> kept = record == OutcomeSettings.Record.all ? outcomes
                : outcomes.stream().filter(outcome -> outcome.kind() != Outcome.Kind.SENT).toList();
        if (!kept.isEmpty()) {
            app.outcomes().append(pushId, kept, progress.nextOutcomeSequence(kept.size()), now);
        }
    }

    private void noteCredentialErrors(List<Outcome> outcomes) {
        for (Outcome outcome : outcomes) {
            if (outcome.reason() == Reason.CREDENTIAL_FAILED && outcome.detail() != null
                    && credentialErrors.size() < MAX_ERROR_DETAILS) {
                credentialErrors.add(outcome.detail());
            }
        }
    }

    private String utcOffset(Outcome outcome) {
        return wave.utcOffsetKey(outcome.device());
    }

    private void stopNotHeld() {
        Document current = jobs.find(pushId).orElse(null);
        if (current != null && JobStore.stored(PushState.CANCELLED).equals(current.getString(JobStore.STATE))) {
            cancelled = true;
            log.info("push {} of app '{}' cancelled", pushId, app.appId());
        } else {
            lost = true;
            log.warn("push {} of app '{}': the lease was taken over by another replica; stopping here", pushId,
                    app.appId());
        }
    }

    /** After the wave: the next wave, the end, or (cancelled) what was sent before. */
    private void conclude() {
        synchronized (commitLock) {
            concluded = true; // a commit still queued must not write after the job is finished
        }
        Instant now = context.clock().instant();
        if (lost) {
            return;
        }
        if (cancelled) {
            PushCounts counts = progress.committedCounts();
            progress.takeCommit(this::utcOffset).outcomes().forEach(outcome -> counts.add(outcome, utcOffset(outcome)));
            status(statuses -> statuses.finish(pushId, PushState.CANCELLED, counts, "cancelled after "
                    + counts.total() + " devices", now));
            recordFinished(PushState.CANCELLED, now);
            return;
        }
        var nextWave = wave.next();
        if (nextWave.isPresent()) {
            Document fields = new Document("doneUntil", Date.from(wave.until())).append("wave", null)
                    .append(JobStore.PROGRESS, progress.nextWaveDocument());
            if (jobs.reschedule(pushId, context.owner(), nextWave.get(), fields)) {
                status(statuses -> statuses.writeCounts(pushId, progress.committedCounts(), now));
                log.info("push {}: local-time wave done; next at {}", pushId, nextWave.get());
            }
            return;
        }
        PushState state = expiredDevices ? PushState.EXPIRED : PushState.SUCCEEDED;
        PushCounts counts = progress.committedCounts();
        boolean held = spec.removedWhenFinished() ? finishAndRemove(state, counts, now) : finishHeld(state, counts, now);
        if (held) {
            recordFinished(state, now);
            log.info("push {} of app '{}' {}: {} sent, {} failed", pushId, app.appId(),
                    state.name().toLowerCase(java.util.Locale.ROOT), counts.sent(), counts.failed());
        } else {
            settleNotHeld(counts, now);
        }
    }

    private boolean finishHeld(PushState state, PushCounts counts, Instant now) {
        if (!jobs.finish(pushId, context.owner(), state, now)) {
            return false;
        }
        status(statuses -> statuses.finish(pushId, state, counts, errorMessage(), now));
        return true;
    }

    /**
     * The job was no longer ours when it ended. Taken over, the other replica reports; cancelled
     * meanwhile, the cancel wins and the status gets this run's final counts (a status write of
     * this run may have landed after the cancel's).
     */
    private void settleNotHeld(PushCounts counts, Instant now) {
        stopNotHeld();
        if (cancelled) {
            status(statuses -> statuses.finish(pushId, PushState.CANCELLED, counts, "cancelled after "
                    + counts.total() + " devices", now));
        }
    }

    /**
     * A push whose status keeps its whole record writes its final status and removes its job
     * in one pass of the database writer (one round trip to wait for, not two). The status
     * goes first and the job is not removed when the status was not written, so a crash leaves
     * a job to resume, never a removed job under a running status. Its counts are final
     * either way; when the job was no longer held, {@link #settleNotHeld} lets a cancel win.
     */
    private boolean finishAndRemove(PushState state, PushCounts counts, Instant now) {
        GroupCommit.Round round = app.writes().round();
        GroupCommit.Pending finished = app.statuses().finish(round, pushId, state, counts, errorMessage(), now);
        GroupCommit.Pending removed = jobs.remove(round, pushId, context.owner());
        round.send();
        finished.await();
        return removed.await();
    }

    /** Writes to the push's {@code _PushStatus}, unless Parse Server keeps it. */
    private void status(java.util.function.Consumer<org.parsepush.gateway.report.PushStatusStore> write) {
        if (spec.ownStatus()) {
            write.accept(app.statuses());
        }
    }

    private void recordFinished(PushState state, Instant now) {
        Date created = job.getDate(JobStore.CREATED_AT);
        context.metrics().jobFinished(app.appId(), state,
                created == null ? java.time.Duration.ZERO : java.time.Duration.between(created.toInstant(), now));
    }

    private void releaseLease() {
        try {
            commit(false);
            jobs.release(pushId, context.owner());
        } catch (RuntimeException e) {
            log.warn("push {}: could not release the lease; it expires by itself: {}", pushId, e.toString());
        }
    }

    private void finishFailed(RuntimeException e) {
        try {
            Instant now = context.clock().instant();
            if (jobs.finish(pushId, context.owner(), PushState.FAILED, now)) {
                status(statuses -> statuses.finish(pushId, PushState.FAILED,
                        progress == null ? new PushCounts() : progress.committedCounts(),
                        "the push stopped: " + e.getMessage(), now));
            }
        } catch (RuntimeException again) {
            log.error("cannot record the failure of push {}: {}", pushId, again.toString());
        }
    }

    private String errorMessage() {
        return credentialErrors.isEmpty() ? null : String.join("; ", credentialErrors);
    }

    /** Devices gathered for one lane, not yet handed to delivery. */
    private static final class Pending {
        final Lane lane;
        final Provider<?> provider;
        final Progress.Segment segment;
        final List<Installation> devices = new ArrayList<>();

        Pending(Lane lane, Provider<?> provider, Progress.Segment segment) {
            this.lane = lane;
            this.provider = provider;
            this.segment = segment;
        }
    }
}
