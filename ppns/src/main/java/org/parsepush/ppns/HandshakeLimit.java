package org.parsepush.ppns;

import java.util.concurrent.Semaphore;

/**
 * Bounds the connections between accept and admission. After a restart every device
 * reconnects at once; each costs a TLS handshake and an admission lookup, and without a
 * bound the lookups queue up until all of them time out. Beyond the bound a connection is
 * closed at once: the device retries later, when the storm has passed.
 */
final class HandshakeLimit {

    private final int max;
    private final Semaphore slots;

    HandshakeLimit(int max) {
        this.max = max;
        this.slots = new Semaphore(max);
    }

    boolean tryAcquire() {
        return slots.tryAcquire();
    }

    void release() {
        slots.release();
    }

    int inUse() {
        return max - slots.availablePermits();
    }
}
