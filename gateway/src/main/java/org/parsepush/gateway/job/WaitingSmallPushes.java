package org.parsepush.gateway.job;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;

/**
 * Small pushes accepted on this replica, their jobs stored already held by it, waiting in
 * the order they were accepted for a small-push slot. A place is reserved before the push is
 * stored, so the caller knows where the push will run before it writes its status, and filled
 * once the job is stored. Bounded: a push that finds no place goes to the database queue.
 */
final class WaitingSmallPushes {

    /** A stored, held job and its app. */
    record Waiting(ParseApp app, Document job) {
    }

    private final int capacity;
    private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
    /** Places reserved whose job is being stored. */
    private int reserved;
    private boolean closed;

    WaitingSmallPushes(int capacity) {
        this.capacity = capacity;
    }

    /** Takes a place, or false when all are taken (or the replica is stopping). */
    synchronized boolean reserve() {
        if (closed || queue.size() + reserved >= capacity) {
            return false;
        }
        reserved++;
        return true;
    }

    /** Gives back a reserved place whose job could not be stored. */
    synchronized void unreserve() {
        reserved--;
    }

    /** Puts a stored job in its reserved place; false when the queue closed meanwhile. */
    synchronized boolean fill(Waiting waiting) {
        reserved--;
        if (closed) {
            return false;
        }
        queue.add(waiting);
        return true;
    }

    /** The push waiting longest, or null. */
    synchronized Waiting poll() {
        return queue.poll();
    }

    synchronized boolean hasWaiting() {
        return !queue.isEmpty();
    }

    /** Whether a push waits or is about to: a push accepted now must not overtake it. */
    synchronized boolean anyPlaceTaken() {
        return !queue.isEmpty() || reserved > 0;
    }

    synchronized int size() {
        return queue.size();
    }

    /** Takes no more pushes and hands back those still waiting. */
    synchronized List<Waiting> close() {
        closed = true;
        List<Waiting> left = new ArrayList<>(queue);
        queue.clear();
        return left;
    }
}
