package org.parsepush.gateway.job;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.audience.AudienceCursor;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.audience.ResolvedAudience;
import org.parsepush.gateway.config.DeliverySettings;
import org.parsepush.gateway.delivery.Delivery;
import org.parsepush.gateway.delivery.Lane;
import org.parsepush.gateway.delivery.Outcome;
import org.parsepush.gateway.delivery.Prepared;
import org.parsepush.gateway.delivery.Provider;
import org.parsepush.gateway.delivery.Reason;
import org.parsepush.gateway.delivery.Route;
import org.parsepush.gateway.delivery.Router;
import org.parsepush.gateway.push.PushMessage;
import org.parsepush.gateway.report.PushCounts;
import org.parsepush.gateway.report.PushMetrics;
import org.parsepush.gateway.report.PushState;
import org.parsepush.gateway.report.TokenCleanup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans one push out: streams the audience, routes each installation, hands full batches
 * to {@link Delivery} per lane, and records every outcome in the push's status. The
 * cursor only moves as fast as the lanes accept devices, so memory stays bounded.
 */
final class PushJob implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PushJob.class);
    private static final int MAX_ERROR_DETAILS = 5;

    private final ParseApp app;
    private final PushMessage message;
    private final ResolvedAudience audience;
    private final Delivery delivery;
    private final DeliverySettings settings;
    private final PushMetrics metrics;
    private final Clock clock;

    private final PushCounts counts = new PushCounts();
    private final InFlight inFlight = new InFlight();
    private final Map<Provider<?>, Prepared<?>> prepared = new HashMap<>();
    private final Map<Lane, Pending> pending = new HashMap<>();
    private final Set<String> credentialErrors = new LinkedHashSet<>();
    private TokenCleanup cleanup;
    private Instant nextFlush;

    PushJob(ParseApp app, PushMessage message, ResolvedAudience audience, Delivery delivery,
            DeliverySettings settings, PushMetrics metrics, Clock clock) {
        this.app = app;
        this.message = message;
        this.audience = audience;
        this.delivery = delivery;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void run() {
        String pushId = message.pushId();
        try {
            fanOut();
            app.statuses().finish(pushId, PushState.SUCCEEDED, counts, errorMessage(), clock.instant());
            log.info("push {} of app '{}' finished: {} sent, {} failed", pushId, app.appId(), counts.sent(),
                    counts.failed());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("push {} of app '{}' interrupted after {} devices", pushId, app.appId(), counts.total());
        } catch (RuntimeException e) {
            log.error("push {} of app '{}' failed: {}", pushId, app.appId(), e.toString());
            try {
                app.statuses().finish(pushId, PushState.FAILED, counts, "the push stopped: " + e.getMessage(),
                        clock.instant());
            } catch (RuntimeException again) {
                log.error("cannot record the failure of push {}: {}", pushId, again.toString());
            }
        }
    }

    private void fanOut() throws InterruptedException {
        Instant started = clock.instant();
        app.statuses().markRunning(message.pushId(), started);
        if (message.badgeIncrement()) {
            app.audience().incrementBadges(audience, Router.APPLE_TYPES);
        }
        // After the badge increment: those updates must not protect a token from cleanup.
        cleanup = new TokenCleanup(app.database(), app.config().tokenCleanup(), clock.instant());
        nextFlush = started.plus(settings.statusFlush());
        try (AudienceCursor cursor = app.audience().open(audience, null)) {
            while (cursor.hasNext()) {
                route(cursor.next());
                flushIfDue();
            }
        }
        for (Pending batch : new ArrayList<>(pending.values())) {
            dispatch(batch);
        }
        pending.clear();
        inFlight.awaitNone(settings.statusFlush(), this::flushIfDue);
        cleanup.flush(clock.instant());
    }

    private void route(Installation device) throws InterruptedException {
        Router.Routed routed = app.router().route(device);
        Route route = routed.route();
        String provider = routed.provider() == null ? null : routed.provider().name();
        if (!route.delivers()) {
            record(List.of(route.skipped() ? Outcome.skipped(device, provider, route.reason())
                    : Outcome.failed(device, provider, route.reason(), null, false)));
            return;
        }
        Pending batch = pending.computeIfAbsent(route.lane(), lane -> new Pending(lane, routed.provider()));
        batch.devices.add(device);
        if (batch.devices.size() >= Math.min(settings.batchSize(), route.lane().maxInFlight())) {
            pending.remove(route.lane());
            dispatch(batch);
        }
    }

    private void dispatch(Pending batch) throws InterruptedException {
        Prepared<?> rendered = prepared.computeIfAbsent(batch.provider, provider -> Prepared.of(provider, message));
        inFlight.begin();
        delivery.submit(rendered, batch.lane, batch.devices).whenComplete((outcomes, error) -> {
            try {
                if (error != null) {
                    log.error("push {}: a batch on {} failed unexpectedly: {}", message.pushId(), batch.lane, error.toString());
                    record(batch.devices.stream().map(device -> Outcome.failed(device, batch.provider.name(),
                            Reason.PROVIDER_UNAVAILABLE, error.toString(), false)).toList());
                } else {
                    record(outcomes);
                }
            } finally {
                inFlight.end();
            }
        });
    }

    private void record(List<Outcome> outcomes) {
        for (Outcome outcome : outcomes) {
            counts.add(outcome);
            cleanup.add(outcome);
            if (outcome.reason() == Reason.CREDENTIAL_FAILED && outcome.detail() != null) {
                synchronized (credentialErrors) {
                    if (credentialErrors.size() < MAX_ERROR_DETAILS) {
                        credentialErrors.add(outcome.detail());
                    }
                }
            }
        }
        metrics.record(app.appId(), outcomes);
    }

    private void flushIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextFlush)) {
            return;
        }
        nextFlush = now.plus(settings.statusFlush());
        app.statuses().writeCounts(message.pushId(), counts, now);
        cleanup.flush(now);
    }

    private String errorMessage() {
        synchronized (credentialErrors) {
            return credentialErrors.isEmpty() ? null : String.join("; ", credentialErrors);
        }
    }

    /** Devices gathered for one lane, not yet handed to delivery. */
    private static final class Pending {
        final Lane lane;
        final Provider<?> provider;
        final List<Installation> devices = new ArrayList<>();

        Pending(Lane lane, Provider<?> provider) {
            this.lane = lane;
            this.provider = provider;
        }
    }
}
