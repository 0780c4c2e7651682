package org.parsepush.gateway.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded retries with exponential backoff and jitter. A provider's own hint (Retry-After)
 * wins when it asks for a longer wait.
 *
 * @param maxAttempts    tries per device, the first included
 * @param initialBackoff the wait before the second try
 * @param maxBackoff     the longest wait between tries
 * @param requestTimeout how long one batch may take before its devices are retried
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The wait before try {@code nextAttempt} (2 for the first retry), honouring a provider hint. */
    Duration delayBefore(int nextAttempt, Duration providerHint) {
        long exponential = initialBackoff.toMillis() << Math.min(nextAttempt - 2, 20);
        long capped = Math.min(exponential, maxBackoff.toMillis());
        // Half fixed, half random: retries of many devices do not arrive together.
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        long hint = providerHint == null ? 0 : providerHint.toMillis();
        return Duration.ofMillis(Math.max(jittered, hint));
    }
}
