package org.parsepush.ppns;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes admitted connections whose device has said nothing for the idle timeout. One
 * periodic walk over the registry stands in for a timer and a handler per connection, which
 * cost about 270 bytes of heap for each idle device. A silent device is closed between one
 * and one-and-an-eighth idle timeouts after it last spoke.
 *
 * <p>Before admission the handshake timeout ({@link HandshakeHandler}) covers silence.
 */
final class IdleSweeper {

    private static final Duration LONGEST_PERIOD = Duration.ofSeconds(30);

    private final ConnectionRegistry registry;
    private final Duration idleTimeout;

    IdleSweeper(ConnectionRegistry registry, Duration idleTimeout) {
        this.registry = registry;
        this.idleTimeout = idleTimeout;
    }

    /** How often to sweep: an eighth of the timeout, at most 30 seconds. */
    static Duration period(Duration idleTimeout) {
        Duration eighth = idleTimeout.dividedBy(8);
        return eighth.compareTo(LONGEST_PERIOD) > 0 ? LONGEST_PERIOD : eighth;
    }

    /** Sweeps every {@link #period} on {@code executor} until the returned future is cancelled. */
    ScheduledFuture<?> start(EventExecutor executor) {
        long period = period(idleTimeout).toNanos();
        return executor.scheduleAtFixedRate(() -> sweep(System.nanoTime()), period, period, TimeUnit.NANOSECONDS);
    }

    /** Closes every connection last heard from more than the idle timeout before {@code now}. */
    private void sweep(long now) {
        long idleNanos = idleTimeout.toNanos();
        for (PpnsConnection connection : registry) {
            if (now - connection.lastHeardNanos() > idleNanos) {
                connection.close(DisconnectReason.IDLE);
            }
        }
    }
}
