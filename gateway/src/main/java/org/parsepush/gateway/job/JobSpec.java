package org.parsepush.gateway.job;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.push.ParseData;
import org.parsepush.gateway.push.Priority;
import org.parsepush.gateway.push.PushMessage;

/**
 * Everything needed to run a push, as persisted in its job document: a replica that takes
 * the job over (after a restart, or from a dead replica) rebuilds the push from this alone.
 *
 * @param pushId             the push id
 * @param dataJson           the Parse {@code data} as JSON
 * @param whereJson          the audience query, or null for explicit devices
 * @param devices            explicit devices, or an empty list
 * @param pushTime           when the push is due (for local-time pushes, when it was accepted)
 * @param localTime          the wall-clock time of a local-time push, or null
 * @param expiration         an absolute expiry, or null
 * @param expirationInterval an expiry relative to each send time, or null
 * @param priority           delivery priority
 * @param collapseId         collapse id, or null
 * @param apnsPushType       {@code apns-push-type}, or null
 * @param fcmNotification    also send an FCM notification
 * @param devicesPerSecond   throttle, 0 for none
 * @param ownStatus          false when Parse Server keeps this push's {@code _PushStatus} (the
 *                           PPNS part of a push Parse sends through its adapter)
 */
public record JobSpec(String pushId, String dataJson, String whereJson, List<Installation> devices, Instant pushTime,
                      LocalDateTime localTime, Instant expiration, Duration expirationInterval, Priority priority,
                      String collapseId, String apnsPushType, boolean fcmNotification, double devicesPerSecond,
                      boolean ownStatus) {

    public JobSpec {
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** The push as providers see it, for devices sent at {@code sendTime}. */
    public PushMessage message(Instant sendTime) {
        Instant expires = expiration != null ? expiration
                : expirationInterval != null ? sendTime.plus(expirationInterval) : null;
        return new PushMessage(pushId, ParseData.parse(dataJson), sendTime, expires, priority, collapseId, apnsPushType,
                fcmNotification);
    }

    Document toDocument() {
        Document doc = new Document("data", dataJson).append("pushTime", Date.from(pushTime))
                .append("priority", priority.name()).append("fcmNotification", fcmNotification)
                .append("devicesPerSecond", devicesPerSecond).append("ownStatus", ownStatus);
        putIfSet(doc, "where", whereJson);
        putIfSet(doc, "localTime", localTime == null ? null : localTime.toString());
        putIfSet(doc, "expiration", expiration == null ? null : Date.from(expiration));
        putIfSet(doc, "expirationInterval", expirationInterval == null ? null : expirationInterval.toMillis());
        putIfSet(doc, "collapseId", collapseId);
        putIfSet(doc, "apnsPushType", apnsPushType);
        if (!devices.isEmpty()) {
            List<Document> list = new ArrayList<>(devices.size());
            for (Installation device : devices) {
                Document entry = new Document("deviceType", device.deviceType());
                putIfSet(entry, "objectId", device.objectId());
                putIfSet(entry, "deviceToken", device.deviceToken());
                putIfSet(entry, "pushType", device.pushType());
                putIfSet(entry, "appIdentifier", device.appIdentifier());
                putIfSet(entry, "gcmSenderId", device.gcmSenderId());
                list.add(entry);
            }
            doc.append("devices", list);
        }
        return doc;
    }

    static JobSpec fromDocument(String pushId, Document doc) {
        List<Installation> devices = new ArrayList<>();
        List<Document> list = doc.getList("devices", Document.class, List.of());
        for (Document entry : list) {
            devices.add(new Installation(entry.getString("objectId"), entry.getString("deviceType"),
                    entry.getString("deviceToken"), entry.getString("pushType"), entry.getString("appIdentifier"),
                    entry.getString("gcmSenderId"), null, null, null));
        }
        String localTime = doc.getString("localTime");
        Date expiration = doc.getDate("expiration");
        Number interval = (Number) doc.get("expirationInterval");
        return new JobSpec(pushId, doc.getString("data"), doc.getString("where"), devices,
                doc.getDate("pushTime").toInstant(), localTime == null ? null : LocalDateTime.parse(localTime),
                expiration == null ? null : expiration.toInstant(),
                interval == null ? null : Duration.ofMillis(interval.longValue()),
                Priority.valueOf(doc.getString("priority")), doc.getString("collapseId"),
                doc.getString("apnsPushType"), doc.getBoolean("fcmNotification", false),
                ((Number) doc.get("devicesPerSecond")).doubleValue(), doc.getBoolean("ownStatus", true));
    }

    private static void putIfSet(Document doc, String key, Object value) {
        if (value != null) {
            doc.append(key, value);
        }
    }

    /**
     * A push to given devices, with a status of its own, keeps its whole record in
     * {@code _PushStatus} and the outcome log: its job is removed when it ends, so the many
     * small transactional pushes do not pile up in the job collection.
     */
    boolean removedWhenFinished() {
        return ownStatus && !devices.isEmpty();
    }
}
