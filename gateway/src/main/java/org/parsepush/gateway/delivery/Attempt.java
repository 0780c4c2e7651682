package org.parsepush.gateway.delivery;

import java.time.Duration;

/**
 * What a provider says about one device after one try. Providers only report; whether and
 * when to try again is decided by {@link Delivery}.
 */
public sealed interface Attempt {

    /** Accepted by the provider. */
    record Sent() implements Attempt {
    }

    /** Kept for an offline device, delivered when it reconnects (PPNS). */
    record Queued() implements Attempt {
    }

    /** Refused for good. {@code tokenDead} means the token should be removed from its installation. */
    record Failed(Reason reason, String detail, boolean tokenDead) implements Attempt {
    }

    /** Worth another try: throttled or unavailable. {@code after} is the provider's hint, or null. */
    record Retry(Reason reason, String detail, Duration after) implements Attempt {
    }

    Sent SENT = new Sent();
    Queued QUEUED = new Queued();

    static Attempt sent() {
        return SENT;
    }

    static Attempt queued() {
        return QUEUED;
    }

    static Attempt failed(Reason reason, String detail) {
        return new Failed(reason, detail, false);
    }

    static Attempt deadToken(Reason reason, String detail) {
        return new Failed(reason, detail, true);
    }

    static Attempt retry(Reason reason, String detail, Duration after) {
        return new Retry(reason, detail, after);
    }
}
