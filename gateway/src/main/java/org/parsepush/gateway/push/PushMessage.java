package org.parsepush.gateway.push;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * What every provider needs to build its own message for one push: the Parse {@code data}
 * object and the delivery options. Immutable; {@code data} must not be modified.
 *
 * @param pushId          the push id ({@code _PushStatus} objectId)
 * @param data            the Parse {@code data} object
 * @param pushTime        when the push was (or is to be) sent
 * @param expiration      when it stops being worth delivering, or null for never
 * @param priority        delivery priority
 * @param collapseId      APNs collapse id / FCM collapse key, or null
 * @param apnsPushType    the {@code apns-push-type} header value, or null to derive it
 * @param fcmNotification also send an FCM notification message (title/body)
 */
public record PushMessage(String pushId, ObjectNode data, Instant pushTime, Instant expiration, Priority priority,
                          String collapseId, String apnsPushType, boolean fcmNotification) {

    /** True for Parse's {@code "badge": "Increment"}: each device gets its own new badge. */
    public boolean badgeIncrement() {
        return ParseData.isIncrement(data.get(ParseData.BADGE));
    }

    /** True once the push is past its expiration. */
    public boolean expiredAt(Instant now) {
        return expiration != null && !now.isBefore(expiration);
    }
}
