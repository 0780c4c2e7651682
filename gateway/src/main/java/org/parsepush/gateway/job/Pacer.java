package org.parsepush.gateway.job;

import java.util.concurrent.TimeUnit;

/** Spreads a throttled push: at most {@code perSecond} devices a second, evenly. */
final class Pacer {

    private final long nanosPerDevice;
    private long next;

    Pacer(double perSecond) {
        this.nanosPerDevice = perSecond > 0 ? (long) (TimeUnit.SECONDS.toNanos(1) / perSecond) : 0;
        this.next = System.nanoTime();
    }

    /** Waits until the next device may go. */
    void await() throws InterruptedException {
        if (nanosPerDevice == 0) {
            return;
        }
        long wait = next - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        next = Math.max(next, System.nanoTime() - nanosPerDevice) + nanosPerDevice;
    }
}
