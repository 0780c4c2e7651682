package org.parsepush.gateway.api;

import com.google.protobuf.Timestamp;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import org.bson.Document;
import org.parsepush.gateway.report.PushStatusFields;
import org.parsepush.gateway.report.PushStatusStore;
import org.parsepush.gateway.store.ParseNames;
import org.parsepush.proto.v1.ProviderCounts;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;

/** Stored {@code _PushStatus} documents as {@code push.v1.PushStatus} messages. */
final class PushStatusMessages {

    private PushStatusMessages() {
    }

    static PushStatus fromDocument(String appId, Document doc) {
        PushStatus.Builder status = PushStatus.newBuilder()
                .setPushId(String.valueOf(doc.get(ParseNames.ID)))
                .setAppId(appId)
                .setState(PushState.valueOf("PUSH_STATE_" + PushStatusStore.stateOf(doc).name()))
                .setPushTime(string(doc, PushStatusFields.PUSH_TIME))
                .setQueryJson(string(doc, PushStatusFields.QUERY))
                .setPayloadJson(string(doc, PushStatusFields.PAYLOAD))
                .setNumSent(number(doc, PushStatusFields.NUM_SENT))
                .setNumFailed(number(doc, PushStatusFields.NUM_FAILED))
                .setNumSkipped(number(doc, PushStatusFields.NUM_SKIPPED))
                .setNumQueued(number(doc, PushStatusFields.NUM_QUEUED))
                .putAllSentPerType(counts(doc, PushStatusFields.SENT_PER_TYPE))
                .putAllFailedPerType(counts(doc, PushStatusFields.FAILED_PER_TYPE))
                .putAllFailedPerReason(counts(doc, PushStatusFields.FAILED_PER_REASON))
                .putAllSkippedPerReason(counts(doc, PushStatusFields.SKIPPED_PER_REASON))
                .putAllSentPerUtcOffset(counts(doc, PushStatusFields.SENT_PER_UTC_OFFSET))
                .putAllFailedPerUtcOffset(counts(doc, PushStatusFields.FAILED_PER_UTC_OFFSET))
                .setErrorMessage(string(doc, PushStatusFields.ERROR_MESSAGE));
        timestamp(doc, ParseNames.CREATED_AT).ifPresent(status::setCreatedAt);
        timestamp(doc, PushStatusFields.STARTED_AT).ifPresent(status::setStartedAt);
        timestamp(doc, PushStatusFields.FINISHED_AT).ifPresent(status::setFinishedAt);
        Object expiry = doc.get(PushStatusFields.EXPIRY);
        if (expiry instanceof Number millis) {
            status.setExpirationTime(toTimestamp(new Date(millis.longValue())));
        }
        Object providers = doc.get(PushStatusFields.PER_PROVIDER);
        if (providers instanceof Document byProvider) {
            byProvider.forEach((name, value) -> {
                if (value instanceof Document counts) {
                    status.putPerProvider(name.toLowerCase(Locale.ROOT), ProviderCounts.newBuilder()
                            .setSent(number(counts, "sent")).setFailed(number(counts, "failed"))
                            .setQueued(number(counts, "queued")).build());
                }
            });
        }
        return status.build();
    }

    private static String string(Document doc, String key) {
        Object value = doc.get(key);
        return value == null ? "" : value.toString();
    }

    private static long number(Document doc, String key) {
        return doc.get(key) instanceof Number n ? n.longValue() : 0;
    }

    private static Map<String, Long> counts(Document doc, String key) {
        Map<String, Long> out = new java.util.TreeMap<>();
        if (doc.get(key) instanceof Document counts) {
            counts.forEach((name, value) -> {
                if (value instanceof Number n) {
                    out.put(name, n.longValue());
                }
            });
        }
        return out;
    }

    private static java.util.Optional<Timestamp> timestamp(Document doc, String key) {
        return doc.get(key) instanceof Date date ? java.util.Optional.of(toTimestamp(date)) : java.util.Optional.empty();
    }

    static Timestamp toTimestamp(Date date) {
        long millis = date.getTime();
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000))
                .setNanos((int) Math.floorMod(millis, 1000) * 1_000_000).build();
    }
}
