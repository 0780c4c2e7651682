package org.parsepush.gateway.report;

import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.parsepush.gateway.delivery.Outcome;

/**
 * Totals of a push in the shape of Parse's {@code _PushStatus} ({@code numSent},
 * {@code sentPerType.ios}, ...) plus what Parse lacks (reasons, providers, skipped and
 * queued devices). Kept as flat dotted keys, so totals add up and round-trip through
 * MongoDB without special cases. Safe to update from provider threads.
 */
public final class PushCounts {

    private final Map<String, Long> counters = new TreeMap<>();

    /** Adds one device's outcome; {@code utcOffset} is set for local-time pushes only. */
    public synchronized void add(Outcome outcome, String utcOffset) {
        // Keys become MongoDB field paths: a dot in a device type must not open a sub-document.
        String type = outcome.device().deviceType() == null ? "unknown" : outcome.device().deviceType().replace('.', '_');
        String provider = outcome.provider();
        switch (outcome.kind()) {
            case SENT -> {
                increment(PushStatusFields.NUM_SENT);
                increment(PushStatusFields.SENT_PER_TYPE + "." + type);
                increment(providerKey(provider, "sent"));
                increment(utcOffset == null ? null : PushStatusFields.SENT_PER_UTC_OFFSET + "." + utcOffset);
            }
            case QUEUED -> {
                increment(PushStatusFields.NUM_QUEUED);
                increment(providerKey(provider, "queued"));
            }
            case FAILED -> {
                increment(PushStatusFields.NUM_FAILED);
                increment(PushStatusFields.FAILED_PER_TYPE + "." + type);
                increment(PushStatusFields.FAILED_PER_REASON + "." + outcome.reason().code());
                increment(providerKey(provider, "failed"));
                increment(utcOffset == null ? null : PushStatusFields.FAILED_PER_UTC_OFFSET + "." + utcOffset);
            }
            case SKIPPED -> {
                increment(PushStatusFields.NUM_SKIPPED);
                increment(PushStatusFields.SKIPPED_PER_REASON + "." + outcome.reason().code());
            }
        }
    }

    /** Adds another set of totals to these. */
    public void addAll(PushCounts other) {
        Map<String, Long> theirs;
        synchronized (other) {
            theirs = Map.copyOf(other.counters);
        }
        synchronized (this) {
            theirs.forEach((key, value) -> counters.merge(key, value, Long::sum));
        }
    }

    /** A copy of these totals. */
    public PushCounts copy() {
        PushCounts copy = new PushCounts();
        copy.addAll(this);
        return copy;
    }

    private static String providerKey(String provider, String what) {
        return provider == null ? null : PushStatusFields.PER_PROVIDER + "." + provider + "." + what;
    }

    private void increment(String key) {
        if (key != null) {
            counters.merge(key, 1L, Long::sum);
        }
    }

    public synchronized long sent() {
        return counters.getOrDefault(PushStatusFields.NUM_SENT, 0L);
    }

    public synchronized long failed() {
        return counters.getOrDefault(PushStatusFields.NUM_FAILED, 0L);
    }

    /** Devices with a final outcome of any kind. */
    public synchronized long total() {
        return sent() + failed() + counters.getOrDefault(PushStatusFields.NUM_SKIPPED, 0L)
                + counters.getOrDefault(PushStatusFields.NUM_QUEUED, 0L);
    }

    /**
     * The {@code _PushStatus} fields as absolute values (writing them twice is harmless).
     * Parse's {@code numSent}/{@code numFailed} are always present.
     */
    public synchronized Document toDocument() {
        Document doc = new Document(PushStatusFields.NUM_SENT, 0L).append(PushStatusFields.NUM_FAILED, 0L);
        for (String map : new String[] {PushStatusFields.SENT_PER_TYPE, PushStatusFields.FAILED_PER_TYPE}) {
            doc.append(map, new Document());
        }
        counters.forEach((key, value) -> put(doc, key.split("\\."), 0, value));
        return doc;
    }

    /** Totals read back from {@link #toDocument()}. */
    public static PushCounts fromDocument(Document doc) {
        PushCounts counts = new PushCounts();
        if (doc != null) {
            counts.flatten("", doc);
        }
        return counts;
    }

    private void flatten(String prefix, Document doc) {
        doc.forEach((key, value) -> {
            if (value instanceof Document nested) {
                flatten(prefix + key + ".", nested);
            } else if (value instanceof Number number && number.longValue() != 0) {
                counters.put(prefix + key, number.longValue());
            }
        });
    }

    private static void put(Document doc, String[] path, int index, long value) {
        if (index == path.length - 1) {
            doc.put(path[index], value);
            return;
        }
        Object child = doc.get(path[index]);
        if (!(child instanceof Document)) {
            child = new Document();
            doc.put(path[index], child);
        }
        put((Document) child, path, index + 1, value);
    }
}
