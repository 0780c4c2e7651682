package org.parsepush.gateway.ppns;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.bson.Document;
import org.parsepush.ppns.Handshake;
import org.parsepush.ppns.PpnsConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows one app's devices connecting and disconnecting here: the shared connection
 * directory is updated, then each arrival gets its inbox replayed. Events are handled in
 * batches (one bulk write and one inbox query per batch) but in the order they happened, so a
 * device's departure never erases the entry of its later arrival.
 */
final class ArrivalsAndDepartures {

    private static final Logger log = LoggerFactory.getLogger(ArrivalsAndDepartures.class);
    private static final int MAX_BATCH = 500;

    /** A device connected here ({@code arrival} is its connection) or left ({@code arrival} is null). */
    private record Event(String installationId, PpnsConnection arrival) {
    }

    private final Inbox inbox;
    private final ConnectionDirectory directory;
    private final String replica;
    private final Clock clock;
    private final int replayLimit;
    private final Predicate<String> heldHere;
    private final BiConsumer<PpnsConnection, List<Document>> replay;
    private final Batcher<Event> batcher;

    /**
     * @param heldHere whether this replica holds a connection for an installation id now
     * @param replay   writes a device's missed pushes to its connection
     */
    ArrivalsAndDepartures(Inbox inbox, ConnectionDirectory directory, String replica, Clock clock, int replayLimit,
                          Predicate<String> heldHere, BiConsumer<PpnsConnection, List<Document>> replay,
                          Executor executor) {
        this.inbox = inbox;
        this.directory = directory;
        this.replica = replica;
        this.clock = clock;
        this.replayLimit = replayLimit;
        this.heldHere = heldHere;
        this.replay = replay;
        this.batcher = new Batcher<>(MAX_BATCH, executor, this::handle);
    }

    void arrived(PpnsConnection connection) {
        batcher.add(new Event(connection.installationId(), connection));
    }

    /**
     * A device's connection here closed, or its directory entry outlived it. Its entry is
     * removed in event order unless it is connected here again by then.
     */
    void departed(String installationId) {
        batcher.add(new Event(installationId, null));
    }

    private void handle(List<Event> events) {
        List<PpnsConnection> arrivals = new ArrayList<>();
        try {
            directory.apply(changes(events, arrivals), replica, clock.instant());
        } catch (RuntimeException e) {
            // The directory is refreshed periodically; the replay matters more to the devices.
            log.warn("cannot update the PPNS connection directory now: {}", e.toString());
        }
        if (!arrivals.isEmpty()) {
            replayTo(arrivals);
        }
    }

    /** The directory changes in event order; a departure counts only if no newer connection is here. */
    private List<ConnectionDirectory.Change> changes(List<Event> events, List<PpnsConnection> arrivals) {
        List<ConnectionDirectory.Change> changes = new ArrayList<>(events.size());
        for (Event event : events) {
            String installationId = event.installationId();
            if (event.arrival() != null) {
                arrivals.add(event.arrival());
                changes.add(new ConnectionDirectory.Change(installationId, true));
            } else if (!heldHere.test(installationId)) {
                changes.add(new ConnectionDirectory.Change(installationId, false));
            }
        }
        return changes;
    }

    private void replayTo(List<PpnsConnection> arrivals) {
        List<Handshake> handshakes = arrivals.stream().map(PpnsConnection::handshake).toList();
        List<List<Document>> missed;
        try {
            missed = inbox.replay(handshakes, clock.instant(), replayLimit);
        } catch (RuntimeException e) {
            // Live pushes go on; what was missed stays in the inbox for the next connection.
            log.warn("cannot replay the inbox of {} PPNS devices now: {}", arrivals.size(), e.toString());
            missed = java.util.Collections.nCopies(arrivals.size(), List.of());
        }
        for (int i = 0; i < arrivals.size(); i++) {
            // Every arrival's replay ends, even an empty one: its live pushes wait for that.
            replay.accept(arrivals.get(i), missed.get(i));
        }
    }
}
