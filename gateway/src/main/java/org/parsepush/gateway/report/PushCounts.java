package org.parsepush.gateway.report;

import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.parsepush.gateway.delivery.Outcome;

/**
 * The running totals of one push, in the shape of Parse's {@code _PushStatus} plus what
 * Parse lacks (reasons, providers, skipped and queued devices). Safe to update from
 * provider threads.
 */
public final class PushCounts {

    private long sent;
    private long failed;
    private long skipped;
    private long queued;
    private final Map<String, Long> sentPerType = new TreeMap<>();
    private final Map<String, Long> failedPerType = new TreeMap<>();
    private final Map<String, Long> failedPerReason = new TreeMap<>();
    private final Map<String, Long> skippedPerReason = new TreeMap<>();
    private final Map<String, Map<String, Long>> perProvider = new TreeMap<>();

    /** Adds one device's outcome. */
    public synchronized void add(Outcome outcome) {
        String type = outcome.device().deviceType() == null ? "unknown" : outcome.device().deviceType();
        switch (outcome.kind()) {
            case SENT -> {
                sent++;
                sentPerType.merge(type, 1L, Long::sum);
                providerCount(outcome.provider(), "sent");
            }
            case QUEUED -> {
                queued++;
                providerCount(outcome.provider(), "queued");
            }
            case FAILED -> {
                failed++;
                failedPerType.merge(type, 1L, Long::sum);
                failedPerReason.merge(outcome.reason().code(), 1L, Long::sum);
                providerCount(outcome.provider(), "failed");
            }
            case SKIPPED -> {
                skipped++;
                skippedPerReason.merge(outcome.reason().code(), 1L, Long::sum);
            }
        }
    }

    private void providerCount(String provider, String what) {
        if (provider != null) {
            perProvider.computeIfAbsent(provider, p -> new TreeMap<>()).merge(what, 1L, Long::sum);
        }
    }

    public synchronized long sent() {
        return sent;
    }

    public synchronized long failed() {
        return failed;
    }

    /** Devices with a final outcome of any kind. */
    public synchronized long total() {
        return sent + failed + skipped + queued;
    }

    /** The {@code _PushStatus} fields, as absolute values (so writing them twice is harmless). */
    public synchronized Document toDocument() {
        return new Document(PushStatusFields.NUM_SENT, sent)
                .append(PushStatusFields.NUM_FAILED, failed)
                .append(PushStatusFields.SENT_PER_TYPE, new Document(Map.copyOf(sentPerType)))
                .append(PushStatusFields.FAILED_PER_TYPE, new Document(Map.copyOf(failedPerType)))
                .append(PushStatusFields.FAILED_PER_REASON, new Document(Map.copyOf(failedPerReason)))
                .append(PushStatusFields.SKIPPED_PER_REASON, new Document(Map.copyOf(skippedPerReason)))
                .append(PushStatusFields.NUM_SKIPPED, skipped)
                .append(PushStatusFields.NUM_QUEUED, queued)
                .append(PushStatusFields.PER_PROVIDER, providersDocument());
    }

    private Document providersDocument() {
        Document providers = new Document();
        perProvider.forEach((name, counts) -> providers.append(name, new Document(Map.copyOf(counts))));
        return providers;
    }
}
