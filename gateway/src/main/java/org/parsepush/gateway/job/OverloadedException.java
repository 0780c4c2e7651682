package org.parsepush.gateway.job;

import java.time.Duration;

/**
 * The replica is already taking in as many calls as it is configured for: nothing of this
 * call was accepted, and the caller should try again after {@link #retryAfter()} (or on
 * another replica) instead of piling up behind the others.
 */
public final class OverloadedException extends RuntimeException {

    private final Duration retryAfter;

    OverloadedException(int limit, Duration retryAfter) {
        super("the gateway is already taking in " + limit + " calls (delivery.maxPendingCalls); nothing was"
                + " accepted, retry after " + retryAfter.toMillis() + " ms");
        this.retryAfter = retryAfter;
    }

    /** How long the caller should wait before trying again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
