package org.parsepush.gateway.job;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.push.ParseData;
import org.parsepush.gateway.push.Priority;
import org.parsepush.gateway.report.PushState;
import org.parsepush.gateway.report.PushStatusFields;
import org.parsepush.gateway.store.ParseNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adopts pushes that Parse Server recorded but will never send: with
 * {@code scheduledPush: true}, Parse Server only writes a {@code _PushStatus} with status
 * {@code scheduled} and expects an external scheduler. Each such push becomes a gateway job
 * under the same objectId, so it runs when due and reports into that same document. A job
 * id is unique, so two replicas cannot adopt the same push twice.
 */
final class ParseScheduledPushes {

    private static final Logger log = LoggerFactory.getLogger(ParseScheduledPushes.class);
    private static final int PER_LOOK = 100;

    private ParseScheduledPushes() {
    }

    /** Turns newly recorded scheduled pushes of the app into jobs; returns how many. */
    static int adopt(ParseApp app, Instant now) {
        List<Document> scheduled = app.statuses().scheduled(PER_LOOK);
        if (scheduled.isEmpty()) {
            return 0;
        }
        List<String> ids = new ArrayList<>();
        scheduled.forEach(status -> ids.add(String.valueOf(status.get(ParseNames.ID))));
        Set<String> known = new HashSet<>(app.jobs().existing(ids));
        int adopted = 0;
        for (Document status : scheduled) {
            String pushId = String.valueOf(status.get(ParseNames.ID));
            if (known.contains(pushId)) {
                continue;
            }
            try {
                JobSpec spec = toSpec(pushId, status, now);
                Instant due = spec.localTime() != null ? new LocalTimeWaves(spec.localTime()).first() : spec.pushTime();
                app.jobs().insert(spec, PushState.SCHEDULED, due.isBefore(now) ? now : due, now);
                adopted++;
                log.info("adopted push {} scheduled by Parse Server for {}", pushId, status.get(PushStatusFields.PUSH_TIME));
            } catch (MongoWriteException e) {
                if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
            } catch (RuntimeException e) {
                log.warn("cannot run push {} scheduled by Parse Server: {}", pushId, e.getMessage());
                app.statuses().finish(pushId, PushState.FAILED, new org.parsepush.gateway.report.PushCounts(),
                        "the push gateway cannot run this push: " + e.getMessage(), now);
            }
        }
        return adopted;
    }

    /** Parse records {@code expiry} as epoch milliseconds, or as the ISO string it was given. */
    private static Instant expiry(Object expiry) {
        if (expiry instanceof Number millis) {
            return Instant.ofEpochMilli(millis.longValue());
        }
        if (expiry instanceof String iso) {
            return OffsetDateTime.parse(iso).toInstant();
        }
        return null;
    }

    /** The job for a push as Parse Server recorded it. */
    static JobSpec toSpec(String pushId, Document status, Instant now) {
        String payload = status.getString(PushStatusFields.PAYLOAD);
        ParseData.parse(payload == null ? "{}" : payload);
        String query = status.getString(PushStatusFields.QUERY);
        String pushTime = status.getString(PushStatusFields.PUSH_TIME);
        Instant at = null;
        LocalDateTime local = null;
        try {
            at = OffsetDateTime.parse(pushTime).toInstant();
        } catch (DateTimeParseException | NullPointerException notAbsolute) {
            try {
                local = LocalDateTime.parse(pushTime);
            } catch (DateTimeParseException | NullPointerException notLocal) {
                throw new IllegalArgumentException("pushTime '" + pushTime + "' is not an ISO-8601 time");
            }
        }
        Object expiry = status.get(PushStatusFields.EXPIRY);
        Object interval = status.get(PushStatusFields.EXPIRATION_INTERVAL);
        return new JobSpec(pushId, payload, query == null ? "{}" : query, List.of(), at != null ? at : now, local,
                expiry(expiry),
                interval instanceof Number seconds ? Duration.ofSeconds(seconds.longValue()) : null,
                Priority.DEFAULT, null, null, false, 0, true);
    }
}
