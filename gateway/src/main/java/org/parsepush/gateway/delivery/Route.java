package org.parsepush.gateway.delivery;

/**
 * Where a provider sends one installation: a lane, or nowhere and why. A route that ends
 * nowhere is reported as failed (a device the app wants reached but cannot be) or skipped
 * (a device that is not ours to reach).
 */
public record Route(Lane lane, Reason reason, boolean skipped) {

    public static Route to(Lane lane) {
        return new Route(lane, null, false);
    }

    /** The device should be reached but cannot be, e.g. no credential for its sender id. */
    public static Route fail(Reason reason) {
        return new Route(null, reason, false);
    }

    /** The device is deliberately not attempted, e.g. no token. */
    public static Route skip(Reason reason) {
        return new Route(null, reason, true);
    }

    public boolean delivers() {
        return lane != null;
    }
}
