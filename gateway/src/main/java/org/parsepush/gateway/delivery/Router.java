package org.parsepush.gateway.delivery;

import java.util.Set;
import org.parsepush.gateway.audience.Installation;

/**
 * Picks the provider for an installation from its Parse {@code deviceType} and
 * {@code pushType}, then lets that provider pick the lane.
 */
public final class Router {

    /** Parse device types delivered through APNs. */
    public static final Set<String> APPLE_TYPES = Set.of("ios", "osx", "tvos", "watchos", "applewatch", "vision");

    private final Provider<?> apns;
    private final Provider<?> fcm;
    private final Provider<?> ppns;

    /** Providers an app does not have yet may be null; their devices are skipped. */
    public Router(Provider<?> apns, Provider<?> fcm, Provider<?> ppns) {
        this.apns = apns;
        this.fcm = fcm;
        this.ppns = ppns;
    }

    /** The providers this app has. */
    public java.util.List<Provider<?>> providers() {
        java.util.List<Provider<?>> present = new java.util.ArrayList<>();
        for (Provider<?> provider : new Provider<?>[] {apns, fcm, ppns}) {
            if (provider != null) {
                present.add(provider);
            }
        }
        return present;
    }

    /** True when this app has a PPNS provider. */
    public boolean reachesPpns() {
        return ppns != null;
    }

    /** An installation's provider (null when none) and route. */
    public record Routed(Provider<?> provider, Route route) {
    }

    public Routed route(Installation device) {
        Provider<?> provider = providerFor(device);
        if (provider == null) {
            return new Routed(null, Route.skip(Reason.UNSUPPORTED_DEVICE_TYPE));
        }
        return new Routed(provider, provider.route(device));
    }

    private Provider<?> providerFor(Installation device) {
        String type = device.deviceType();
        if (type == null) {
            return null;
        }
        if (APPLE_TYPES.contains(type)) {
            return apns;
        }
        boolean ppnsPushType = "ppns".equals(device.pushType());
        if (type.equals("embedded") || type.equals("android") && ppnsPushType) {
            return ppns;
        }
        if (type.equals("android")) {
            return fcm;
        }
        return null;
    }
}
