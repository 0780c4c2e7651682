package org.parsepush.gateway.report;

import java.time.Instant;

/**
 * What {@code _PushStatus} records when a push is accepted.
 *
 * @param pushId                    the objectId
 * @param pushTime                  ISO-8601; without a zone for local-time pushes, as Parse stores it
 * @param queryJson                 the audience's Parse query as JSON
 * @param payloadJson               the Parse {@code data} as JSON, as sent
 * @param source                    {@code rest}, {@code webui}, ...
 * @param title                     an optional title for Dashboard
 * @param pushHash                  Parse's hash of the alert
 * @param expiry                    absolute expiry, or null
 * @param expirationIntervalSeconds relative expiry as given, or null
 * @param state                     PENDING or SCHEDULED
 */
public record NewPushStatus(String pushId, String pushTime, String queryJson, String payloadJson, String source,
                            String title, String pushHash, Instant expiry, Long expirationIntervalSeconds,
                            PushState state) {
}
