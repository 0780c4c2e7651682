package org.parsepush.ppns;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the connections open from one source address, so one host cannot take the
 * endpoint's sockets for itself. Devices behind a carrier's NAT share addresses, so the
 * bound is generous; zero means no bound.
 */
final class AddressLimit {

    private final int max;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

    AddressLimit(int max) {
        this.max = max;
    }

    /** Counts a new connection from {@code address}; false (and not counted) when that address is at its bound. */
    boolean tryOpen(InetAddress address) {
        if (max == 0) {
            return true;
        }
        AtomicInteger count = open.computeIfAbsent(address, a -> new AtomicInteger());
        if (count.incrementAndGet() > max) {
            closed(address);
            return false;
        }
        return true;
    }

    /** Forgets a connection counted by {@link #tryOpen}. */
    void closed(InetAddress address) {
        if (max == 0) {
            return;
        }
        open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
}
