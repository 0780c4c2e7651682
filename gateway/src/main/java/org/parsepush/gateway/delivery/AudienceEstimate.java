package org.parsepush.gateway.delivery;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.parsepush.gateway.audience.Installation;

/**
 * What a push to an audience would do, without sending it: how many installations match,
 * of which device types, which provider each would go to, and how many would not be tried
 * and why. The audience is streamed and only counted, so any size fits in memory.
 *
 * @param total                  installations in the audience
 * @param perDeviceType          by Parse {@code deviceType} ({@code unknown} when missing)
 * @param perProvider            deliverable ones by provider name
 * @param undeliverablePerReason the others by reason code
 */
public record AudienceEstimate(long total, Map<String, Long> perDeviceType, Map<String, Long> perProvider,
                               Map<String, Long> undeliverablePerReason) {

    /** Routes every installation of {@code audience} as a push would, and counts. */
    public static AudienceEstimate count(Iterator<Installation> audience, Router router) {
        long total = 0;
        Map<String, Long> perDeviceType = new TreeMap<>();
        Map<String, Long> perProvider = new TreeMap<>();
        Map<String, Long> undeliverable = new TreeMap<>();
        while (audience.hasNext()) {
            Installation device = audience.next();
            total++;
            perDeviceType.merge(device.deviceType() == null ? "unknown" : device.deviceType(), 1L, Long::sum);
            Router.Routed routed = router.route(device);
            if (routed.route().delivers()) {
                perProvider.merge(routed.provider().name(), 1L, Long::sum);
            } else {
                undeliverable.merge(routed.route().reason().code(), 1L, Long::sum);
            }
        }
        return new AudienceEstimate(total, perDeviceType, perProvider, undeliverable);
    }
}
