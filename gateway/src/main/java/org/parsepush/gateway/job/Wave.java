package org.parsepush.gateway.job;

import com.mongodb.client.model.Filters;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.audience.ResolvedAudience;
import org.parsepush.gateway.store.ParseNames;

/**
 * The part of a push one run sends: the whole audience for an ordinary push; for a
 * local-time push, the installations whose time zones reached the push time since the
 * previous wave (the first wave also reports those without a usable time zone).
 */
final class Wave {

    private final LocalTimeWaves waves;
    private final Instant doneUntil;
    private final Instant until;
    private final Instant sendTime;

    private Wave(LocalTimeWaves waves, Instant doneUntil, Instant until, Instant sendTime) {
        this.waves = waves;
        this.doneUntil = doneUntil;
        this.until = until;
        this.sendTime = sendTime;
    }

    /** The wave a claimed job runs now: the one it was in, or the zones due by {@code now}. */
    static Wave of(JobSpec spec, Document job, Instant now) {
        if (spec.localTime() == null) {
            return new Wave(null, null, now, spec.pushTime());
        }
        Document current = job.get("wave", Document.class);
        Instant until = current != null ? current.getDate("until").toInstant() : now;
        Date doneUntil = job.getDate("doneUntil");
        return new Wave(new LocalTimeWaves(spec.localTime()), doneUntil == null ? null : doneUntil.toInstant(),
                until, until);
    }

    /** When devices of this wave are considered sent (FCM's {@code time}, expiry intervals). */
    Instant sendTime() {
        return sendTime;
    }

    Instant until() {
        return until;
    }

    /** Recorded when the wave starts, so a takeover finishes the same wave. */
    Document toDocument() {
        return waves == null ? null : new Document("until", Date.from(until));
    }

    /** The audience narrowed to this wave's time zones. */
    ResolvedAudience restrict(ResolvedAudience audience) {
        if (waves == null) {
            return audience;
        }
        List<String> zones = waves.zonesBetween(doneUntil, until);
        if (audience.explicit()) {
            return new ResolvedAudience(audience.whereJson(), null, audience.devices().stream()
                    .filter(device -> zones.contains(device.timeZone()) || lacksTimeZone(device)).toList());
        }
        var inWave = Filters.in(ParseNames.TIME_ZONE, zones);
        var filter = first() ? Filters.or(inWave, Filters.nin(ParseNames.TIME_ZONE, LocalTimeWaves.allZones())) : inWave;
        return new ResolvedAudience(audience.whereJson(), new Document("$and", List.of(audience.filter(), filter)),
                List.of());
    }

    /** In the first wave: an installation without a time zone the gateway knows, reported as skipped. */
    boolean lacksTimeZone(Installation device) {
        return waves != null && first() && !LocalTimeWaves.known(device.timeZone());
    }

    /** Parse's UTC-offset key for a device of a local-time push, else null. */
    String utcOffsetKey(Installation device) {
        return waves != null && LocalTimeWaves.known(device.timeZone()) ? waves.utcOffsetKey(device.timeZone()) : null;
    }

    /** When the next wave is due, if there is one. */
    Optional<Instant> next() {
        return waves == null ? Optional.empty() : waves.next(until);
    }

    private boolean first() {
        return doneUntil == null;
    }
}
