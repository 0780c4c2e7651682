package org.parsepush.ppns.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a generous deadline: long enough for a loaded CI machine,
 * while a passing test returns as soon as the condition holds.
 */
public final class Eventually {

    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private Eventually() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} at the deadline. */
    public static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** The future's value; fails naming {@code what} if it fails or is not done by the deadline. */
    public static <T> T get(String what, CompletableFuture<T> future) {
        try {
            return future.get(DEADLINE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return fail("timed out waiting for " + what);
        } catch (ExecutionException e) {
            return fail(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted waiting for " + what);
        }
    }
}
