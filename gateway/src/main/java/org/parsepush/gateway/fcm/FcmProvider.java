package org.parsepush.gateway.fcm;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.AndroidNotification;
import com.google.firebase.messaging.BatchResponse;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.SendResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.config.AppConfig;
import org.parsepush.gateway.config.FcmCredentialConfig;
import org.parsepush.gateway.config.FcmSettings;
import org.parsepush.gateway.credentials.CredentialMonitor;
import org.parsepush.gateway.delivery.Attempt;
import org.parsepush.gateway.delivery.Lane;
import org.parsepush.gateway.delivery.Provider;
import org.parsepush.gateway.delivery.Reason;
import org.parsepush.gateway.delivery.Route;
import org.parsepush.gateway.push.ParseData;
import org.parsepush.gateway.push.Priority;
import org.parsepush.gateway.push.PushMessage;

/**
 * Android devices through FCM's HTTP v1 API with the Firebase Admin SDK: one lane per
 * Firebase project (sender id), chosen by the installation's {@code GCMSenderId}. Messages
 * are Parse's data messages ({@code push_id}, {@code time}, {@code data}) so the Parse
 * Android SDK reads them as it always did.
 */
public final class FcmProvider implements Provider<FcmMessage> {

    /** FCM keeps a message at most four weeks. */
    static final Duration MAX_TTL = Duration.ofDays(28);
    /** {@code sendEach} takes at most this many messages. */
    static final int MAX_BATCH = 500;

    private final Map<String, SenderLane> bySenderId = new LinkedHashMap<>();
    private final Map<Lane, SenderLane> byLane = new IdentityHashMap<>();
    private final FcmTransports transports;

    /** Loads the app's service accounts; each is watched for changes on disk. */
    public FcmProvider(AppConfig app, FcmSettings settings, CredentialMonitor credentials) {
        FcmTransports transports = FcmTransports.open(settings);
        this.transports = transports;
        for (FcmCredentialConfig config : app.fcm()) {
            if (bySenderId.containsKey(config.senderId())) {
                throw new IllegalArgumentException("app '" + app.appId() + "' has two FCM credentials for sender id "
                        + config.senderId());
            }
            Lane lane = new Lane("fcm:" + config.senderId(), settings.maxInFlightPerCredential());
            FcmCredentialSlot slot = new FcmCredentialSlot(app.appId(), config, transports, settings);
            SenderLane sender = new SenderLane(lane, slot);
            bySenderId.put(config.senderId(), sender);
            byLane.put(lane, sender);
            credentials.watch("the " + slot.description(), slot.files(), slot::reload);
        }
    }

    @Override
    public String name() {
        return "fcm";
    }

    @Override
    public Route route(Installation device) {
        if (device.deviceToken() == null) {
            return Route.skip(Reason.NO_DEVICE_TOKEN);
        }
        if (device.gcmSenderId() == null) {
            return bySenderId.size() == 1 ? Route.to(bySenderId.values().iterator().next().lane)
                    : Route.fail(Reason.SENDER_ID_NOT_CONFIGURED);
        }
        // The Parse Android SDK stores every sender id the token was made for, comma-separated.
        for (String senderId : device.gcmSenderId().split(",")) {
            SenderLane sender = bySenderId.get(senderId.trim());
            if (sender != null) {
                return Route.to(sender.lane);
            }
        }
        return Route.fail(Reason.SENDER_ID_NOT_CONFIGURED);
    }

    @Override
    public FcmMessage prepare(PushMessage push) {
        ObjectNode data = push.data();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("push_id", push.pushId());
        fields.put("time", DateTimeFormatter.ISO_INSTANT.format(push.pushTime().truncatedTo(ChronoUnit.MILLIS)));
        fields.put("data", data.toString());
        AndroidConfig.Builder android = AndroidConfig.builder()
                .setPriority(highPriority(push) ? AndroidConfig.Priority.HIGH : AndroidConfig.Priority.NORMAL);
        if (push.expiration() != null) {
            Duration ttl = Duration.between(push.pushTime(), push.expiration());
            ttl = ttl.isNegative() ? Duration.ZERO : ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
            android.setTtl(ttl.toMillis());
        }
        if (push.collapseId() != null) {
            android.setCollapseKey(push.collapseId());
        }
        if (push.fcmNotification()) {
            android.setNotification(notification(data));
        }
        return new FcmMessage(Map.copyOf(fields), android.build());
    }

    private static boolean highPriority(PushMessage push) {
        if (push.priority() != Priority.DEFAULT) {
            return push.priority() == Priority.HIGH;
        }
        ObjectNode data = push.data();
        boolean backgroundOnly = ParseData.flag(data.get(ParseData.CONTENT_AVAILABLE)) && !data.hasNonNull(ParseData.ALERT)
                && !data.hasNonNull(ParseData.TITLE);
        return !backgroundOnly;
    }

    private static AndroidNotification notification(ObjectNode data) {
        AndroidNotification.Builder notification = AndroidNotification.builder();
        JsonNode alert = data.get(ParseData.ALERT);
        JsonNode title = data.get(ParseData.TITLE);
        if (alert != null && alert.isTextual()) {
            notification.setBody(alert.textValue());
        } else if (alert != null && alert.isObject()) {
            if (alert.hasNonNull("body")) {
                notification.setBody(alert.get("body").asText());
            }
            if (title == null && alert.hasNonNull("title")) {
                title = alert.get("title");
            }
        }
        if (title != null && !title.isNull()) {
            notification.setTitle(title.asText());
        }
        if (data.hasNonNull(ParseData.SOUND)) {
            notification.setSound(data.get(ParseData.SOUND).asText());
        }
        return notification.build();
    }

    @Override
    public CompletableFuture<List<Attempt>> send(Lane lane, FcmMessage message, List<Installation> devices) {
        // The account in use now: a reload between two batches applies to the second.
        FcmCredential credential = byLane.get(lane).credential.current();
        if (credential.messaging() == null) {
            List<Attempt> failed = new ArrayList<>(devices.size());
            devices.forEach(device -> failed.add(Attempt.failed(Reason.CREDENTIAL_FAILED, credential.loadError())));
            return CompletableFuture.completedFuture(failed);
        }
        List<CompletableFuture<List<Attempt>>> chunks = new ArrayList<>();
        for (int from = 0; from < devices.size(); from += MAX_BATCH) {
            List<Installation> chunk = devices.subList(from, Math.min(devices.size(), from + MAX_BATCH));
            List<Message> messages = new ArrayList<>(chunk.size());
            chunk.forEach(device -> messages.add(message.forToken(device.deviceToken())));
            chunks.add(toCompletable(credential.messaging().sendEachAsync(messages))
                    .handle((batch, error) -> error == null ? attempts(batch) : wholeBatch(error, chunk.size())));
        }
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Attempt> all = new ArrayList<>(devices.size());
            chunks.forEach(chunk -> all.addAll(chunk.join()));
            return all;
        });
    }

    private static List<Attempt> attempts(BatchResponse batch) {
        List<Attempt> attempts = new ArrayList<>(batch.getResponses().size());
        for (SendResponse response : batch.getResponses()) {
            attempts.add(response.isSuccessful() ? Attempt.sent() : FcmErrors.attempt(response.getException()));
        }
        return attempts;
    }

    /** A failure of the whole call (e.g. no OAuth token): the same answer for every device. */
    private static List<Attempt> wholeBatch(Throwable error, int size) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        Attempt attempt = cause instanceof FirebaseMessagingException fme ? FcmErrors.attempt(fme)
                : Attempt.retry(Reason.PROVIDER_UNAVAILABLE, cause.toString(), null);
        return java.util.Collections.nCopies(size, attempt);
    }

    private static <T> CompletableFuture<T> toCompletable(ApiFuture<T> future) {
        CompletableFuture<T> completable = new CompletableFuture<>();
        ApiFutures.addCallback(future, new ApiFutureCallback<>() {
            @Override
            public void onSuccess(T result) {
                completable.complete(result);
            }

            @Override
            public void onFailure(Throwable error) {
                completable.completeExceptionally(error);
            }
        }, MoreExecutors.directExecutor());
        return completable;
    }

    @Override
    public void close() {
        bySenderId.values().forEach(sender -> sender.credential.close());
        transports.close();
    }

    private record SenderLane(Lane lane, FcmCredentialSlot credential) {
    }
}
