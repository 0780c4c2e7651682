package org.parsepush.gateway.ppns;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.delivery.Attempt;
import org.parsepush.gateway.delivery.Lane;
import org.parsepush.gateway.delivery.Provider;
import org.parsepush.gateway.delivery.Reason;
import org.parsepush.gateway.delivery.Route;
import org.parsepush.gateway.push.PushMessage;
import org.parsepush.ppns.PpnsConnection;
import org.parsepush.ppns.PushLine;

/**
 * IoT devices (and Android apps without Google services) over the gateway's own PPNS
 * endpoint. Every push goes into the device's inbox first; a device connected to this
 * replica gets it at once, one connected to another replica gets it from that replica, and
 * an offline one when it reconnects. Devices never acknowledge: {@code sent} means written to
 * a live connection, {@code queued} means waiting in the inbox.
 */
public final class PpnsProvider implements Provider<PpnsMessage> {

    /** The PPNS lane: one per app, bounded like the others. */
    private static final int MAX_IN_FLIGHT = 10_000;
    /** How many delivery polls to wait for another replica to write a handed-over push. */
    private static final int HANDOVER_POLLS = 5;

    private final String appId;
    private final PpnsEndpoint endpoint;
    private final PpnsEndpoint.PpnsApp app;
    private final Lane lane;

    public PpnsProvider(String appId, PpnsEndpoint endpoint, PpnsEndpoint.PpnsApp app) {
        this.appId = appId;
        this.endpoint = endpoint;
        this.app = app;
        this.lane = new Lane("ppns", MAX_IN_FLIGHT);
    }

    @Override
    public String name() {
        return "ppns";
    }

    @Override
    public Route route(Installation device) {
        // PPNS devices are known by the installation id they send in their handshake.
        return device.installationId() == null ? Route.skip(Reason.NO_DEVICE_TOKEN) : Route.to(lane);
    }

    @Override
    public PpnsMessage prepare(PushMessage push) {
        PushLine line = PushLine.of(push.data(), push.pushId(), endpoint.nextLineTime());
        Instant keepUntil = push.expiration() != null ? push.expiration() : push.pushTime().plus(endpoint.inboxRetention());
        return new PpnsMessage(line, !line.fitsWithin(endpoint.maxPushBytes()), keepUntil);
    }

    @Override
    public CompletableFuture<List<Attempt>> send(Lane lane, PpnsMessage message, List<Installation> devices) {
        if (message.tooLarge()) {
            Attempt tooLarge = Attempt.failed(Reason.PAYLOAD_TOO_LARGE, "the push line is " + message.line().byteLength()
                    + " bytes; PPNS devices take at most " + endpoint.maxPushBytes());
            return CompletableFuture.completedFuture(java.util.Collections.nCopies(devices.size(), tooLarge));
        }
        Instant now = endpoint.now();
        List<String> ids = devices.stream().map(device -> device.installationId().toLowerCase(Locale.ROOT)).toList();
        List<Optional<PpnsConnection>> locals = ids.stream().map(id -> endpoint.local(appId, id)).toList();
        List<String> elsewhere = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (locals.get(i).isEmpty()) {
                elsewhere.add(ids.get(i));
            }
        }
        Map<String, String> owners = elsewhere.isEmpty() ? Map.of() : app.directory().owners(elsewhere, now);
        List<Document> entries = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            String owner = owners.get(ids.get(i));
            String handTo = locals.get(i).isEmpty() && owner != null && !owner.equals(endpoint.replica()) ? owner : null;
            entries.add(Inbox.entry(ids.get(i), message.line().pushId(), message.line().time(), message.line().text(),
                    message.keepUntil(), handTo));
        }
        // The inbox first: whatever happens next, the device gets the push when it reconnects.
        app.inbox().add(entries);

        List<CompletableFuture<Attempt>> attempts = new ArrayList<>(ids.size());
        List<Object> handedOver = new ArrayList<>();
        List<CompletableFuture<Attempt>> handedOverAttempts = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Optional<PpnsConnection> connection = locals.get(i);
            Document entry = entries.get(i);
            if (connection.isPresent()) {
                attempts.add(endpoint.deliverLive(connection.get(), message.line().pushId(), message.line().text())
                        .handle((wrote, error) -> {
                            if (error != null) {
                                // The connection dropped, or the device is not reading: the replay has it.
                                return Attempt.queued();
                            }
                            endpoint.countLive();
                            return Attempt.sent();
                        }));
            } else if (entry.containsKey(Inbox.FOR_REPLICA)) {
                CompletableFuture<Attempt> later = new CompletableFuture<>();
                handedOver.add(entry.get("_id"));
                handedOverAttempts.add(later);
                attempts.add(later);
            } else {
                attempts.add(CompletableFuture.completedFuture(Attempt.queued()));
            }
        }
        if (!handedOver.isEmpty()) {
            awaitHandover(handedOver, handedOverAttempts);
        }
        return CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new))
                .thenApply(done -> attempts.stream().map(CompletableFuture::join).toList());
    }

    /** Waits a few polls for the owning replicas to write what was handed to them; the rest is queued. */
    private void awaitHandover(List<Object> ids, List<CompletableFuture<Attempt>> attempts) {
        long wait = endpoint.deliveryPoll().toMillis() * HANDOVER_POLLS;
        endpoint.work().schedule(() -> {
            Set<Object> delivered;
            try {
                delivered = app.inbox().delivered(ids);
            } catch (RuntimeException e) {
                delivered = Set.of();
            }
            for (int i = 0; i < ids.size(); i++) {
                attempts.get(i).complete(delivered.contains(ids.get(i)) ? Attempt.sent() : Attempt.queued());
            }
        }, wait, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        // The endpoint belongs to the gateway, not to one app.
    }
}
