package org.parsepush.gateway.push;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import org.parsepush.gateway.audience.Target;

/**
 * A push as asked for, in domain terms, before anything is resolved or stored.
 *
 * @param target             who receives it
 * @param data               the Parse {@code data} object
 * @param pushTime           an absolute push time, or null for now
 * @param localPushTime      a wall-clock push time in each device's zone, or null
 * @param expirationTime     an absolute expiry, or null
 * @param expirationInterval an expiry relative to the push time, or null
 * @param priority           delivery priority
 * @param collapseId         collapse id, or null
 * @param apnsPushType       {@code apns-push-type} value, or null
 * @param idempotencyKey     caller's deduplication key, or null
 * @param source             {@code _PushStatus.source}
 * @param fcmNotification    also send an FCM notification message
 * @param devicesPerSecond   throttle, or 0 for none
 */
public record PushRequest(Target target, ObjectNode data, Instant pushTime, LocalDateTime localPushTime,
                          Instant expirationTime, Duration expirationInterval, Priority priority, String collapseId,
                          String apnsPushType, String idempotencyKey, String source, boolean fcmNotification,
                          double devicesPerSecond) {
}
