package org.parsepush.gateway.delivery;

import java.util.concurrent.Semaphore;

/**
 * One path to a provider with its own capacity: an APNs topic's credential, an FCM
 * project, the PPNS endpoint. {@link Delivery} bounds the devices in flight per lane, so a
 * slow or failing lane slows its own devices instead of growing queues.
 */
public final class Lane {

    private final String name;
    private final int maxInFlight;
    final Semaphore inFlight;

    public Lane(String name, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be positive");
        }
        this.name = name;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
    }

    /** A name for logs and metrics, e.g. {@code apns:com.example.app}; never a secret. */
    public String name() {
        return name;
    }

    /** The most devices that may be in flight on this lane at once. */
    public int maxInFlight() {
        return maxInFlight;
    }

    @Override
    public String toString() {
        return name;
    }
}
