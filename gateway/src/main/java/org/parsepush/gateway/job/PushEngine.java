package org.parsepush.gateway.job;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.audience.ResolvedAudience;
import org.parsepush.gateway.config.DeliverySettings;
import org.parsepush.gateway.delivery.Delivery;
import org.parsepush.gateway.delivery.Prepared;
import org.parsepush.gateway.delivery.Provider;
import org.parsepush.gateway.delivery.RetryPolicy;
import org.parsepush.gateway.push.ParseData;
import org.parsepush.gateway.push.PushMessage;
import org.parsepush.gateway.push.PushRequest;
import org.parsepush.gateway.report.NewPushStatus;
import org.parsepush.gateway.report.PushMetrics;
import org.parsepush.gateway.report.PushState;
import org.parsepush.gateway.report.PushStatusStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts pushes and runs them: everything that can be wrong with a push is found before
 * it is accepted (audience, payload, sizes), its {@code _PushStatus} is written, and only
 * then is it handed to a background {@link PushJob}.
 */
public final class PushEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PushEngine.class);

    private final DeliverySettings settings;
    private final Clock clock;
    private final PushMetrics metrics;
    private final ExecutorService jobs;
    private final ScheduledExecutorService retries;
    private final Delivery delivery;

    public PushEngine(DeliverySettings settings, Clock clock, MeterRegistry registry) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = new PushMetrics(registry);
        this.jobs = Executors.newFixedThreadPool(settings.maxConcurrentPushes(), threads("push-job"));
        this.retries = Executors.newSingleThreadScheduledExecutor(threads("push-retry"));
        this.delivery = new Delivery(new RetryPolicy(settings.maxAttempts(), settings.initialBackoff(),
                settings.maxBackoff(), settings.requestTimeout()), retries, clock);
    }

    /** A push that was accepted: its id and its state right after acceptance. */
    public record Accepted(String pushId, PushState state) {
    }

    /**
     * Validates, records and starts a push.
     *
     * @throws IllegalArgumentException      for a request that can never be sent (the message says why)
     * @throws UnsupportedOperationException for options this version does not run yet
     */
    public Accepted accept(ParseApp app, PushRequest request) {
        Instant now = clock.instant();
        if (request.localPushTime() != null || request.pushTime() != null && request.pushTime().isAfter(now)) {
            throw new UnsupportedOperationException("scheduled and local-time pushes (push_time) are not supported"
                    + " by this version yet; send without push_time");
        }
        if (request.idempotencyKey() != null || request.devicesPerSecond() > 0) {
            throw new UnsupportedOperationException("idempotency_key and throttle are not supported by this version yet");
        }
        ParseData.validate(request.data());
        ResolvedAudience audience = app.audience().resolve(request.target());
        String pushId = PushStatusStore.newObjectId();
        Instant expiration = request.expirationTime() != null ? request.expirationTime()
                : request.expirationInterval() != null ? now.plus(request.expirationInterval()) : null;
        PushMessage message = new PushMessage(pushId, request.data(), now, expiration, request.priority(),
                request.collapseId(), request.apnsPushType(), request.fcmNotification());
        for (Provider<?> provider : app.router().providers()) {
            Prepared.of(provider, message); // refuses payloads a provider could never send
        }
        app.statuses().create(new NewPushStatus(pushId, DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(
                java.time.temporal.ChronoUnit.MILLIS)), audience.whereJson(), request.data().toString(),
                request.source(), null, ParseData.pushHash(request.data()), request.expirationTime(),
                request.expirationInterval() == null ? null : request.expirationInterval().toSeconds(),
                PushState.PENDING), now);
        jobs.execute(new PushJob(app, message, audience, delivery, settings, metrics, clock));
        log.info("push {} of app '{}' accepted", pushId, app.appId());
        return new Accepted(pushId, PushState.PENDING);
    }

    /** Stops taking jobs and waits up to {@code grace} for running ones. */
    public void shutdown(Duration grace) throws InterruptedException {
        jobs.shutdown();
        if (!jobs.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("pushes still running after {} s; stopping them", grace.toSeconds());
            jobs.shutdownNow();
        }
        retries.shutdownNow();
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(Duration.ZERO);
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
