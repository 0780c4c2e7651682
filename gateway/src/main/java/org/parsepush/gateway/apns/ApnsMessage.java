package org.parsepush.gateway.apns;

import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A push rendered for APNs once: the payload (as text when every device gets the same
 * one) and the headers.
 */
record ApnsMessage(ObjectNode payload, String sharedPayload, boolean perDeviceBadge, PushType pushType,
                   DeliveryPriority priority, Instant expiration, String collapseId) {

    /** The payload for one device. */
    String payloadFor(Integer badge) {
        return perDeviceBadge ? ApnsPayload.render(payload, badge == null ? 0 : badge) : sharedPayload;
    }
}
