package org.parsepush.gateway.job;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.delivery.Outcome;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.app.ParseApps;
import org.parsepush.gateway.audience.AudienceCursor;
import org.parsepush.gateway.audience.ResolvedAudience;
import org.parsepush.gateway.audience.Target;
import org.parsepush.gateway.config.GatewayConfig;
import org.parsepush.gateway.delivery.AudienceEstimate;
import org.parsepush.gateway.delivery.Delivery;
import org.parsepush.gateway.delivery.Prepared;
import org.parsepush.gateway.delivery.Provider;
import org.parsepush.gateway.delivery.RetryPolicy;
import org.parsepush.gateway.push.ParseData;
import org.parsepush.gateway.push.PushMessage;
import org.parsepush.gateway.push.PushRequest;
import org.parsepush.gateway.report.NewPushStatus;
import org.parsepush.gateway.report.PushCounts;
import org.parsepush.gateway.report.PushMetrics;
import org.parsepush.gateway.report.PushState;
import org.parsepush.gateway.report.PushStatusStore;
import org.parsepush.gateway.store.GroupCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts pushes and runs them as durable jobs. Everything that can be wrong with a push
 * is found before it is accepted (audience, payload, times); then the job and its
 * {@code _PushStatus} are persisted, and only then does the caller get the push id. From
 * there any replica may run it (see {@link JobScheduler}), and a restart resumes it.
 */
public final class PushEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PushEngine.class);
    /** How far ahead a push may be scheduled, as on Parse's hosted service. */
    static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(14);
    private static final Duration RETRY_AFTER_OVERLOAD = Duration.ofSeconds(1);
    private static final DateTimeFormatter LOCAL_PUSH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");

    private final Clock clock;
    private final ExecutorService committer;
    private final ScheduledExecutorService retries;
    private final JobScheduler scheduler;
    private final DirectDelivery direct;
    private final Thread schedulerThread;
    private final String owner;
    private final Duration lease;
    private final int smallPushMaxDevices;
    /** Calls being taken in (SendPush, DeliverBatch): beyond the limit a call is refused, not queued. */
    private final Semaphore calls;
    private final int maxPendingCalls;

    public PushEngine(GatewayConfig config, ParseApps apps, String replicaId, Clock clock, MeterRegistry registry) {
        this.clock = clock;
        var settings = config.delivery();
        this.committer = Executors.newFixedThreadPool(2, threads("push-commit"));
        this.retries = Executors.newSingleThreadScheduledExecutor(threads("push-retry"));
        Delivery delivery = new Delivery(new RetryPolicy(settings.maxAttempts(), settings.initialBackoff(),
                settings.maxBackoff(), settings.requestTimeout()), retries, clock);
        PushMetrics metrics = new PushMetrics(registry);
        this.direct = new DirectDelivery(delivery, settings, metrics);
        this.owner = replicaId;
        this.lease = config.jobs().lease();
        this.smallPushMaxDevices = settings.batchSize();
        this.maxPendingCalls = settings.maxPendingCalls();
        this.calls = new Semaphore(maxPendingCalls);
        JobContext context = new JobContext(delivery, settings, config.outcomes(), metrics, clock,
                replicaId, config.jobs().lease(), committer);
        this.scheduler = new JobScheduler(apps.all(), context, settings.maxConcurrentPushes(),
                settings.maxConcurrentSmallPushes(), settings.maxQueuedSmallPushes(), config.jobs().pollInterval(),
                config.jobs().parseScheduledPoll(), registry);
        this.schedulerThread = threads("push-scheduler").newThread(scheduler);
        log.info("job replica id: {}", context.owner());
    }

    /** Starts running due jobs, including those left by a previous run. */
    public void start() {
        schedulerThread.start();
    }

    /** A push that was accepted: its id, its state right after acceptance, and whether it was a repeat. */
    public record Accepted(String pushId, PushState state, boolean deduplicated) {
    }

    /**
     * Validates and persists a push; it runs in the background.
     *
     * @throws IllegalArgumentException for a request that can never be sent (the message says why)
     */
    public Accepted accept(ParseApp app, PushRequest request) {
        enter();
        try {
            return acceptAdmitted(app, request);
        } finally {
            calls.release();
        }
    }

    /** Takes a place among the calls being taken in, or refuses the call at once. */
    private void enter() {
        if (!calls.tryAcquire()) {
            throw new OverloadedException(maxPendingCalls, RETRY_AFTER_OVERLOAD);
        }
    }

    private Accepted acceptAdmitted(ParseApp app, PushRequest request) {
        Instant now = clock.instant();
        ParseData.validate(request.data());
        Instant dueAt = dueAt(request, now);
        checkExpiration(request, dueAt);
        ResolvedAudience audience = app.audience().resolve(request.target());
        String pushId = PushStatusStore.newObjectId();
        if (request.idempotencyKey() != null) {
            Optional<String> earlier = app.jobs().reserve(request.idempotencyKey(), pushId, now);
            if (earlier.isPresent()) {
                // A finished push to given devices has no job left: its status tells.
                Optional<PushState> state = app.jobs().find(earlier.get()).map(job -> PushState.valueOf(
                                job.getString(JobStore.STATE).toUpperCase(java.util.Locale.ROOT)))
                        .or(() -> app.statuses().find(earlier.get()).map(PushStatusStore::stateOf));
                if (state.isPresent()) {
                    return new Accepted(earlier.get(), state.get(), true);
                }
                pushId = earlier.get(); // the first attempt died before persisting its job: finish it now
            }
        }
        JobSpec spec = new JobSpec(pushId, request.data().toString(), audience.explicit() ? null : audience.whereJson(),
                audience.devices(), request.localPushTime() != null ? now : dueAt, request.localPushTime(),
                request.expirationTime(), request.expirationInterval(), request.priority(), request.collapseId(),
                request.apnsPushType(), request.fcmNotification(), request.devicesPerSecond(), true);
        PushMessage message = spec.message(dueAt);
        for (Provider<?> provider : app.router().providers()) {
            Prepared.of(provider, message); // refuses payloads a provider could never send
        }
        PushState state = dueAt.isAfter(now) ? PushState.SCHEDULED : PushState.PENDING;
        boolean small = audience.explicit() && audience.devices().size() <= smallPushMaxDevices;
        // A push due now, with nothing to prepare, runs on this replica when it has room.
        boolean dueNow = state == PushState.PENDING && request.localPushTime() == null && !message.badgeIncrement();
        JobScheduler.Start start = dueNow ? scheduler.reserve(small) : JobScheduler.Start.DATABASE_QUEUE;
        NewPushStatus status = new NewPushStatus(pushId, pushTimeText(request, dueAt), audience.whereJson(),
                request.data().toString(), request.source(), null, ParseData.pushHash(request.data()),
                request.expirationTime(), request.expirationInterval() == null ? null
                : request.expirationInterval().toSeconds(), start.atOnce() ? PushState.RUNNING : state);
        if (start.heldHere()) {
            scheduler.startReserved(app, persistReserved(app, status, spec, now, start), start);
        } else {
            app.statuses().create(status, now);
            insertJob(app, spec, state, dueAt, now);
            scheduler.wake();
        }
        log.info("push {} of app '{}' accepted ({})", pushId, app.appId(), state.name().toLowerCase(java.util.Locale.ROOT));
        return new Accepted(pushId, state, false);
    }

    /** {@link #persistHeld}, giving back the place reserved for the push when it could not be stored. */
    private Document persistReserved(ParseApp app, NewPushStatus status, JobSpec spec, Instant now,
                                     JobScheduler.Start start) {
        try {
            return persistHeld(app, status, spec, now);
        } catch (RuntimeException e) {
            scheduler.releaseReserved(start);
            throw e;
        }
    }

    /**
     * Stores the status and the job this replica will run, in one pass of the database writer:
     * the caller waits for one round trip instead of two. The status goes first and the job is
     * not written when the status was not, so a crash leaves at worst a status without a job,
     * never a job to send without its status. A job that cannot be stored fails the status.
     */
    private Document persistHeld(ParseApp app, NewPushStatus status, JobSpec spec, Instant now) {
        Document job = JobStore.newHeldJob(spec, owner, now.plus(lease), now);
        GroupCommit.Round round = app.writes().round();
        GroupCommit.Pending statusStored = app.statuses().create(round, status, now);
        GroupCommit.Pending jobStored = app.jobs().insert(round, job);
        round.send();
        statusStored.await();
        try {
            jobStored.await();
        } catch (RuntimeException e) {
            markNotAccepted(app, spec.pushId(), now);
            throw e;
        }
        return job;
    }

    private static void insertJob(ParseApp app, JobSpec spec, PushState state, Instant dueAt, Instant now) {
        try {
            app.jobs().insert(spec, state, dueAt, now);
        } catch (RuntimeException e) {
            markNotAccepted(app, spec.pushId(), now);
            throw e;
        }
    }

    /** When the push (or, local-time, its first wave) is due; in the past means now. */
    private static Instant dueAt(PushRequest request, Instant now) {
        Instant due;
        if (request.localPushTime() != null) {
            due = new LocalTimeWaves(request.localPushTime()).first();
        } else {
            due = request.pushTime() == null ? now : request.pushTime();
        }
        if (due.isAfter(now.plus(MAX_SCHEDULE_AHEAD))) {
            throw new IllegalArgumentException("push_time is more than " + MAX_SCHEDULE_AHEAD.toDays()
                    + " days ahead");
        }
        return due.isBefore(now) ? now : due;
    }

    private static void checkExpiration(PushRequest request, Instant dueAt) {
        if (request.expirationTime() != null && request.localPushTime() == null
                && !request.expirationTime().isAfter(dueAt)) {
            throw new IllegalArgumentException("expiration_time must be after push_time (or after now)");
        }
    }

    /** {@code _PushStatus.pushTime}: ISO with {@code Z}, or without a zone for a local-time push, as Parse stores it. */
    private static String pushTimeText(PushRequest request, Instant dueAt) {
        LocalDateTime local = request.localPushTime();
        return local != null ? LOCAL_PUSH_TIME.format(local)
                : DateTimeFormatter.ISO_INSTANT.format(dueAt.truncatedTo(ChronoUnit.MILLIS));
    }

    private static void markNotAccepted(ParseApp app, String pushId, Instant now) {
        try {
            app.statuses().finish(pushId, PushState.FAILED, new PushCounts(),
                    "not accepted: the job could not be stored", now);
        } catch (RuntimeException ignored) {
            // The database is away; the caller is told the push was not accepted.
        }
    }

    /** Counts what a push to {@code target} would reach, streaming the audience; nothing is sent or stored. */
    public AudienceEstimate estimate(ParseApp app, Target target) {
        ResolvedAudience audience = app.audience().preview(target);
        try (AudienceCursor cursor = app.audience().open(audience, null)) {
            return AudienceEstimate.count(cursor, app.router());
        }
    }

    /**
     * Cancels a scheduled or running push. A running job notices at its next checkpoint and
     * records what it sent; a job nobody runs is finished here. Empty when the push is
     * unknown or already finished.
     */
    public Optional<PushState> cancel(ParseApp app, String pushId) {
        Instant now = clock.instant();
        Optional<Document> before = app.jobs().cancel(pushId, now);
        if (before.isEmpty()) {
            return Optional.empty();
        }
        Document job = before.get();
        Document progress = job.get(JobStore.PROGRESS, Document.class);
        PushCounts counts = PushCounts.fromDocument(progress == null ? null : progress.get("counts", Document.class));
        boolean heldByLiveReplica = JobStore.stored(PushState.RUNNING).equals(job.getString(JobStore.STATE))
                && job.getDate(JobStore.LEASE_UNTIL).toInstant().isAfter(now);
        app.statuses().finish(pushId, PushState.CANCELLED, counts, heldByLiveReplica
                ? "cancelled while running; counts are final when the running replica stops"
                : "cancelled after " + counts.total() + " devices", now);
        return Optional.of(PushState.CANCELLED);
    }

    /**
     * Delivers the given devices now, without a job or a status of the gateway's own, and
     * returns one outcome per device in order (Parse Server's adapter keeps the status).
     */
    public List<Outcome> deliverNow(ParseApp app, String pushId, ObjectNode data, Instant expiration,
                                    List<Installation> devices) throws InterruptedException {
        enter();
        try {
            return deliverAdmitted(app, pushId, data, expiration, devices);
        } finally {
            calls.release();
        }
    }

    private List<Outcome> deliverAdmitted(ParseApp app, String pushId, ObjectNode data, Instant expiration,
                                          List<Installation> devices) throws InterruptedException {
        ParseData.validate(data);
        Instant now = clock.instant();
        if (expiration != null && !expiration.isAfter(now)) {
            throw new IllegalArgumentException("the expiration is already past");
        }
        PushMessage message = new PushMessage(pushId, data, now, expiration,
                org.parsepush.gateway.push.Priority.DEFAULT, null, null, false);
        return direct.deliver(app, message, devices);
    }

    /**
     * Parse Server never hands its adapter installations without a token, so PPNS devices
     * would be missed: for a push Parse sends through the adapter, runs the PPNS part as a job
     * of its own, once per push (the job takes the push's id), reporting into no status (Parse
     * keeps that). Does nothing when Parse's status or its query cannot be read.
     */
    public void reachPpnsDevicesOf(ParseApp app, String parsePushStatusId, String dataJson, Instant expiration) {
        if (!app.router().reachesPpns() || app.jobs().find(parsePushStatusId).isPresent()) {
            return;
        }
        Optional<Document> status = app.statuses().find(parsePushStatusId);
        String query = status.map(doc -> doc.getString(org.parsepush.gateway.report.PushStatusFields.QUERY)).orElse(null);
        if (query == null) {
            return;
        }
        String ppnsOnly = "{\"$and\":[" + query + ",{\"$or\":[{\"deviceType\":\"embedded\"},{\"pushType\":\"ppns\"}]}]}";
        Instant now = clock.instant();
        JobSpec spec = new JobSpec(parsePushStatusId, dataJson, ppnsOnly, List.of(), now, null, expiration, null,
                org.parsepush.gateway.push.Priority.DEFAULT, null, null, false, 0, false);
        try {
            app.jobs().insert(spec, PushState.PENDING, now, now);
            scheduler.wake();
        } catch (com.mongodb.MongoWriteException e) {
            if (e.getError().getCategory() != com.mongodb.ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
        }
    }

    /** Stops claiming jobs; running ones get {@code grace} to finish, then are left for the next run. */
    public void shutdown(Duration grace) throws InterruptedException {
        scheduler.stop();
        schedulerThread.join(TimeUnit.SECONDS.toMillis(5));
        if (!scheduler.shutdownJobs(grace.toMillis())) {
            log.warn("pushes still running after {} s; they resume on the next start or on another replica",
                    grace.toSeconds());
        }
        committer.shutdown();
        committer.awaitTermination(5, TimeUnit.SECONDS);
        retries.shutdownNow();
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(Duration.ZERO);
    }

    /** The configured replica id, or the host name with a random suffix. */
    public static String replicaId(String configured) {
        if (!configured.isBlank()) {
            return configured;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "gateway";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ThreadFactory threads(String name) {
        return new io.netty.util.concurrent.DefaultThreadFactory(name, true);
    }
}
