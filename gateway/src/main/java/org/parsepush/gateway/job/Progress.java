package org.parsepush.gateway.job;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.parsepush.gateway.delivery.Outcome;
import org.parsepush.gateway.report.PushCounts;

/**
 * Where a running push stands, so that a replica taking it over sends nothing twice but
 * the devices that were in flight.
 *
 * <p>Devices are read in {@code _id} order and go to tracks (one per lane, one per kind of
 * unroutable device). Within a track, devices are grouped into segments in read order;
 * segments complete out of order, but a track's checkpoint only moves past a segment once
 * every earlier segment of the track is complete too. Completed segments wait to be
 * committed: their outcomes logged, counts added and checkpoint persisted in one step
 * ({@link #takeCommit}, {@link #committed}). Each track has a window of devices dispatched but not yet
 * committed; dispatching waits while the window is full, which bounds what a crash can
 * send twice to one window per lane.
 */
final class Progress {

    /** One track's devices in read order. */
    static final class Segment {
        private final Track track;
        private String lastId;
        private int size;
        private boolean complete;
        private List<Outcome> outcomes;

        private Segment(Track track) {
            this.track = track;
        }

        int size() {
            return size;
        }
    }

    private static final class Track {
        final String name;
        final Semaphore window;
        final Deque<Segment> segments = new ArrayDeque<>();
        Segment open;
        String checkpoint;
        int uncommittedPermits;

        Track(String name, int window) {
            this.name = name;
            this.window = new Semaphore(window);
        }
    }

    /** What one commit step writes. */
    record Commit(List<Outcome> outcomes, Document progress, Map<String, Integer> permits, PushCounts counts) {
    }

    private final Map<String, Track> tracks = new HashMap<>();
    private final Map<String, String> resumedCheckpoints;
    private final String resumedScanned;
    private PushCounts committed;
    private String scanned;
    private long outcomeSequence;
    private List<Outcome> completed = new ArrayList<>();

    private Progress(Map<String, String> checkpoints, String scanned, PushCounts committed, long outcomeSequence) {
        this.resumedCheckpoints = Map.copyOf(checkpoints);
        this.resumedScanned = scanned;
        this.scanned = scanned;
        this.committed = committed;
        this.outcomeSequence = outcomeSequence;
    }

    /** A fresh start, keeping the counts of earlier waves. */
    static Progress start(PushCounts earlier, long outcomeSequence) {
        return new Progress(Map.of(), null, earlier, outcomeSequence);
    }

    /** Progress as persisted by {@link #takeCommit()}, or a fresh start. */
    static Progress fromDocument(Document doc) {
        if (doc == null) {
            return start(new PushCounts(), 0);
        }
        Map<String, String> checkpoints = new HashMap<>();
        Document stored = doc.get("checkpoints", Document.class);
        if (stored != null) {
            stored.forEach((name, id) -> checkpoints.put(unescape(name), (String) id));
        }
        Number sequence = (Number) doc.get("outcomeSequence");
        return new Progress(checkpoints, doc.getString("scanned"),
                PushCounts.fromDocument(doc.get("counts", Document.class)), sequence == null ? 0 : sequence.longValue());
    }

    /** Where a resumed cursor starts (exclusive): the lowest checkpoint, or null to start over. */
    String resumeAfter() {
        String lowest = resumedScanned;
        for (String checkpoint : resumedCheckpoints.values()) {
            if (lowest == null || checkpoint == null) {
                return null;
            }
            if (checkpoint.compareTo(lowest) < 0) {
                lowest = checkpoint;
            }
        }
        return lowest;
    }

    /** True when an earlier run already committed this device on this track. */
    boolean alreadyDone(String track, String id) {
        String checkpoint = resumedCheckpoints.containsKey(track) ? resumedCheckpoints.get(track) : resumedScanned;
        return id != null && checkpoint != null && id.compareTo(checkpoint) <= 0;
    }

    /** Counts committed so far (this run and earlier ones). */
    synchronized PushCounts committedCounts() {
        return committed.copy();
    }

    /** Notes that the cursor has read up to {@code id}. */
    synchronized void scanned(String id) {
        if (id != null) {
            scanned = id;
        }
    }

    /** Adds a device to its track's open segment; returns the segment. */
    synchronized Segment add(String trackName, int window, String id) {
        Track track = track(trackName, window);
        if (track.segments.isEmpty() && scanned != null) {
            // Nothing of this track is pending: it is complete up to where the cursor is.
            track.checkpoint = scanned;
        }
        if (track.open == null) {
            track.open = new Segment(track);
            track.segments.add(track.open);
        }
        track.open.size++;
        track.open.lastId = id;
        scanned(id);
        return track.open;
    }

    /** Closes a segment to new devices before it is dispatched. */
    synchronized void close(Segment segment) {
        if (segment.track.open == segment) {
            segment.track.open = null;
        }
    }

    /** Waits up to {@code timeoutMillis} for room in the segment's window; true when it got it. */
    boolean reserveWindow(Segment segment, long timeoutMillis) throws InterruptedException {
        return segment.track.window.tryAcquire(segment.size, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Records a segment's outcomes; completed leading segments become ready to commit. */
    synchronized void complete(Segment segment, List<Outcome> outcomes) {
        segment.complete = true;
        segment.outcomes = outcomes;
        Track track = segment.track;
        while (!track.segments.isEmpty() && track.segments.peekFirst().complete) {
            Segment done = track.segments.pollFirst();
            completed.addAll(done.outcomes);
            track.checkpoint = done.lastId;
            track.uncommittedPermits += done.size;
        }
    }

    /** True when outcomes are waiting to be committed. */
    synchronized boolean hasUncommitted() {
        return !completed.isEmpty();
    }

    /**
     * Everything complete since the last commit: its outcomes, the progress document to
     * persist with them, and the window permits to give back once it is persisted. Nothing
     * changes until {@link #committed(Commit)}: a commit that cannot be persisted (the
     * database is away) is simply taken again, larger, next time.
     */
    synchronized Commit takeCommit(java.util.function.Function<Outcome, String> utcOffset) {
        List<Outcome> outcomes = List.copyOf(completed);
        PushCounts counts = committed.copy();
        for (Outcome outcome : outcomes) {
            counts.add(outcome, utcOffset.apply(outcome));
        }
        Document checkpoints = new Document();
        Map<String, Integer> permits = new HashMap<>();
        for (Track track : tracks.values()) {
            // A track with nothing open or in flight is complete up to where the cursor is.
            String position = track.segments.isEmpty() && scanned != null ? scanned : track.checkpoint;
            checkpoints.append(escape(track.name), position);
            if (track.uncommittedPermits > 0) {
                permits.put(track.name, track.uncommittedPermits);
            }
        }
        Document progress = new Document("checkpoints", checkpoints).append("counts", counts.toDocument())
                .append("outcomeSequence", outcomeSequence);
        if (scanned != null) {
            progress.append("scanned", scanned);
        }
        return new Commit(outcomes, progress, permits, counts);
    }

    /** A commit from {@link #takeCommit} is persisted: its counts stand and its devices leave the windows. */
    synchronized void committed(Commit commit) {
        completed.subList(0, commit.outcomes().size()).clear();
        committed = commit.counts();
        commit.permits().forEach((name, count) -> {
            Track track = tracks.get(name);
            track.uncommittedPermits -= count;
            track.window.release(count);
        });
    }

    /** The progress of a wave not yet started: no checkpoints, the counts and numbering so far. */
    synchronized Document nextWaveDocument() {
        return new Document("checkpoints", new Document()).append("counts", committed.toDocument())
                .append("outcomeSequence", outcomeSequence);
    }

    /** Reserves outcome numbers for the log. */
    synchronized long nextOutcomeSequence(int count) {
        long first = outcomeSequence + 1;
        outcomeSequence += count;
        return first;
    }

    private Track track(String name, int window) {
        return tracks.computeIfAbsent(name, n -> {
            Track track = new Track(n, window);
            // "" sorts before every objectId: nothing of the track is done yet.
            track.checkpoint = resumedCheckpoints.getOrDefault(n, resumedScanned == null ? "" : resumedScanned);
            return track;
        });
    }

    /** Lane names contain dots and colons; MongoDB field names may not contain dots. */
    private static String escape(String name) {
        return name.replace(".", "%2E");
    }

    private static String unescape(String name) {
        return name.replace("%2E", ".");
    }
}
