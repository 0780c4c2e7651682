package org.parsepush.gateway.credentials;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credentials replaced by a reload. They are closed a while later rather than at once, so
 * that requests already sent with them get their answers, or at shutdown, whichever comes
 * first.
 */
public final class RetiredCredentials {

    /** Longer than a provider takes to answer a request in flight. */
    public static final Duration GRACE = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(RetiredCredentials.class);

    private final Set<AutoCloseable> pending = ConcurrentHashMap.newKeySet();

    /** Closes {@code old} after {@link #GRACE}. */
    public void retire(AutoCloseable old) {
        pending.add(old);
        CompletableFuture.delayedExecutor(GRACE.toMillis(), TimeUnit.MILLISECONDS).execute(() -> closeIfPending(old));
    }

    /** Closes every credential still waiting. */
    public void closeAll() {
        pending.forEach(this::closeIfPending);
    }

    private void closeIfPending(AutoCloseable old) {
        if (pending.remove(old)) {
            try {
                old.close();
            } catch (Exception e) {
                log.warn("closing a replaced credential: {}", e.toString());
            }
        }
    }
}
