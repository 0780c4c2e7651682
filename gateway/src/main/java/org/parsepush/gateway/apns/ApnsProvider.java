package org.parsepush.gateway.apns;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.config.ApnsCredentialConfig;
import org.parsepush.gateway.config.ApnsSettings;
import org.parsepush.gateway.config.AppConfig;
import org.parsepush.gateway.credentials.CredentialMonitor;
import org.parsepush.gateway.delivery.Attempt;
import org.parsepush.gateway.delivery.Lane;
import org.parsepush.gateway.delivery.Provider;
import org.parsepush.gateway.delivery.Reason;
import org.parsepush.gateway.delivery.Route;
import org.parsepush.gateway.push.PushMessage;

/**
 * Apple devices through Pushy: one lane per topic (bundle id), each with its credential
 * and, when both are configured, the other environment to try before a
 * {@code BadDeviceToken} is believed.
 */
public final class ApnsProvider implements Provider<ApnsMessage> {

    private final Map<String, TopicLane> byTopic = new LinkedHashMap<>();
    private final Map<Lane, TopicLane> byLane = new IdentityHashMap<>();
    private final Timer roundTrips;
    private final Clock clock;
    private final long requestTimeoutMillis;
    private final EventLoopGroup group;

    /**
     * Loads the app's credentials; each is watched for changes on disk, and a P12's
     * certificate expiry is tracked.
     */
    public ApnsProvider(AppConfig app, ApnsSettings settings, EventLoopGroup group, MeterRegistry registry,
                        CredentialMonitor credentials) {
        this.clock = credentials.clock();
        this.requestTimeoutMillis = settings.requestTimeout().toMillis();
        this.group = group;
        for (ApnsCredentialConfig config : app.apns()) {
            ApnsCredentialSlot slot = new ApnsCredentialSlot(app.appId(), config, settings, clock);
            TopicLane topic = byTopic.get(config.topic());
            if (topic == null) {
                Lane lane = new Lane("apns:" + config.topic(), settings.maxInFlightPerCredential());
                topic = new TopicLane(config.topic(), lane, slot);
                byTopic.put(config.topic(), topic);
                byLane.put(lane, topic);
            } else if (topic.alternate == null && topic.primary.environment() != slot.environment()) {
                topic.alternate = slot;
            } else {
                slot.close();
                throw new IllegalArgumentException("app '" + app.appId() + "' has two APNs " + config.environment()
                        + " credentials for topic " + config.topic());
            }
            credentials.watch("the " + slot.description(), slot.files(), slot::reload);
            if (slot.usesCertificate()) {
                credentials.trackExpiry(app.appId(), "apns", slot.label(), "the " + slot.description(),
                        slot::certificate);
            }
        }
        this.roundTrips = Timer.builder("gateway.apns.request")
                .description("Time from sending a notification to APNs' answer")
                .tag("app", app.appId())
                .publishPercentileHistogram()
                .register(registry);
    }

    @Override
    public String name() {
        return "apns";
    }

    @Override
    public Route route(Installation device) {
        if (device.deviceToken() == null) {
            return Route.skip(Reason.NO_DEVICE_TOKEN);
        }
        if (byTopic.size() == 1) {
            return Route.to(byTopic.values().iterator().next().lane);
        }
        TopicLane topic = device.appIdentifier() == null ? null : byTopic.get(device.appIdentifier());
        return topic == null ? Route.fail(Reason.TOPIC_NOT_CONFIGURED) : Route.to(topic.lane);
    }

    @Override
    public ApnsMessage prepare(PushMessage push) {
        ObjectNode payload = ApnsPayload.build(push.data());
        boolean perDeviceBadge = push.badgeIncrement();
        int size = ApnsPayload.maxBytes(payload, perDeviceBadge);
        if (size > ApnsPayload.MAX_BYTES) {
            throw new IllegalArgumentException("the APNs payload would be " + size + " bytes; APNs accepts at most "
                    + ApnsPayload.MAX_BYTES);
        }
        var type = ApnsPayload.pushType(push, payload);
        return new ApnsMessage(payload, perDeviceBadge ? null : payload.toString(), perDeviceBadge, type,
                ApnsPayload.priority(push, type), push.expiration(), push.collapseId());
    }

    @Override
    public CompletableFuture<List<Attempt>> send(Lane lane, ApnsMessage message, List<Installation> devices) {
        TopicLane topic = byLane.get(lane);
        // One reading of the clock serves the batch: it is handed to Pushy within moments.
        Instant now = clock.instant();
        List<CompletableFuture<Attempt>> attempts = new ArrayList<>(devices.size());
        for (Installation device : devices) {
            attempts.add(sendOne(topic, topic.primary, message, device, now));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new));
        // Pushy waits for an answer as long as the connection lives: a stalled stream is retried
        // on its own after the request timeout, instead of holding (and then re-sending) its whole
        // batch. The batch was handed to Pushy at once, so one deadline serves all of it (a timer
        // per notification cost the event loop a twentieth of its time).
        ScheduledFuture<?> deadline = group.schedule(() -> attempts.forEach(attempt -> attempt.complete(
                Attempt.retry(Reason.PROVIDER_UNAVAILABLE, "no answer from APNs within " + requestTimeoutMillis + " ms",
                        null))), requestTimeoutMillis, TimeUnit.MILLISECONDS);
        all.whenComplete((done, error) -> deadline.cancel(false));
        return all.thenApply(done -> attempts.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<Attempt> sendOne(TopicLane topic, ApnsCredentialSlot slot, ApnsMessage message,
                                               Installation device, Instant now) {
        // The credential in use now: a reload between two notifications applies to the second.
        ApnsCredential credential = slot.current();
        ApnsClient client = credential.client();
        if (client == null) {
            return CompletableFuture.completedFuture(Attempt.failed(Reason.CREDENTIAL_FAILED, credential.loadError()));
        }
        if (credential.expiredAt(now)) {
            // APNs refuses an expired certificate in the TLS handshake; saying so here is clearer and saves the attempt.
            return CompletableFuture.completedFuture(Attempt.failed(Reason.CREDENTIAL_FAILED, "the "
                    + credential.description() + " has a certificate that expired on "
                    + credential.notAfter() + "; replace its P12 file"));
        }
        SimpleApnsPushNotification notification = new SimpleApnsPushNotification(device.deviceToken(),
                ApnsPayload.topicFor(topic.bundleId, message.pushType()), message.payloadFor(device.badge()),
                message.expiration(), message.priority(), message.pushType(), message.collapseId());
        long started = System.nanoTime();
        CompletableFuture<Attempt> attempt = new CompletableFuture<>();
        client.sendNotification(notification).whenComplete((response, error) -> {
            roundTrips.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (error != null) {
                attempt.complete(failure(credential, error));
            } else if (response.isAccepted()) {
                attempt.complete(Attempt.sent());
            } else if (isBadDeviceToken(response) && slot == topic.primary && topic.alternate != null) {
                // A sandbox token sent to production (or the reverse) is "bad" only there.
                sendOne(topic, topic.alternate, message, device, now).whenComplete((second, secondError) ->
                        attempt.complete(secondError != null ? failure(topic.alternate.current(), secondError)
                                : confirmDead(second)));
            } else {
                attempt.complete(rejection(response, topic.alternate != null));
            }
        });
        return attempt;
    }

    private static boolean isBadDeviceToken(PushNotificationResponse<?> response) {
        return "BadDeviceToken".equals(response.getRejectionReason().orElse(""));
    }

    /** Both environments refused the token: now it is believed dead. */
    private static Attempt confirmDead(Attempt second) {
        if (second instanceof Attempt.Failed failed && failed.reason() == Reason.BAD_DEVICE_TOKEN) {
            return Attempt.deadToken(Reason.BAD_DEVICE_TOKEN, "BadDeviceToken in both environments");
        }
        return second;
    }

    /** Maps APNs' answer (https://developer.apple.com/documentation/usernotifications) to an attempt. */
    static Attempt rejection(PushNotificationResponse<?> response, boolean bothEnvironmentsTried) {
        String reason = response.getRejectionReason().orElse("HTTP " + response.getStatusCode());
        return switch (reason) {
            case "Unregistered", "ExpiredToken" -> Attempt.deadToken(Reason.UNREGISTERED, reason);
            // With one environment configured a bad token may belong to the other one: keep it.
            case "BadDeviceToken" -> bothEnvironmentsTried ? Attempt.deadToken(Reason.BAD_DEVICE_TOKEN, reason)
                    : Attempt.failed(Reason.BAD_DEVICE_TOKEN, reason);
            case "DeviceTokenNotForTopic" -> Attempt.failed(Reason.BAD_DEVICE_TOKEN, reason);
            case "TooManyRequests" -> Attempt.retry(Reason.RATE_LIMITED, reason, null);
            case "InternalServerError", "ServiceUnavailable", "Shutdown", "IdleTimeout" ->
                    Attempt.retry(Reason.PROVIDER_UNAVAILABLE, reason, null);
            case "ExpiredProviderToken", "TooManyProviderTokenUpdates" ->
                    Attempt.retry(Reason.CREDENTIAL_FAILED, reason, null);
            case "BadCertificate", "BadCertificateEnvironment", "Forbidden", "InvalidProviderToken",
                    "MissingProviderToken", "TopicDisallowed", "BadTopic", "MissingTopic" ->
                    Attempt.failed(Reason.CREDENTIAL_FAILED, reason);
            case "PayloadTooLarge" -> Attempt.failed(Reason.PAYLOAD_TOO_LARGE, reason);
            default -> response.getStatusCode() >= 500 ? Attempt.retry(Reason.PROVIDER_UNAVAILABLE, reason, null)
                    : Attempt.failed(Reason.REJECTED, reason);
        };
    }

    private static Attempt failure(ApnsCredential credential, Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLHandshakeException) {
                return Attempt.failed(Reason.CREDENTIAL_FAILED, "TLS handshake with APNs failed for the "
                        + credential.description() + ": " + cause.getMessage());
            }
        }
        return Attempt.retry(Reason.PROVIDER_UNAVAILABLE, error.getClass().getSimpleName()
                + (error.getMessage() == null ? "" : ": " + error.getMessage()), null);
    }

    @Override
    public void close() {
        for (TopicLane topic : byTopic.values()) {
            topic.primary.close();
            if (topic.alternate != null) {
                topic.alternate.close();
            }
        }
    }

    /** A topic's lane and its credentials. */
    private static final class TopicLane {
        final String bundleId;
        final Lane lane;
        final ApnsCredentialSlot primary;
        ApnsCredentialSlot alternate;

        TopicLane(String bundleId, Lane lane, ApnsCredentialSlot primary) {
            this.bundleId = bundleId;
            this.lane = lane;
            this.primary = primary;
        }
    }
}
