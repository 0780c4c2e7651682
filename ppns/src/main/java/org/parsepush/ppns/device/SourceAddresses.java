package org.parsepush.ppns.device;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Source addresses handed out round-robin to device connections. One address has only as
 * many ephemeral ports as the system's local port range (32768–60999 by default, about
 * 28,000), so a simulation of more devices than that on one machine spreads its
 * connections over several loopback addresses: Linux answers on all of 127.0.0.0/8.
 */
public final class SourceAddresses {

    private static final SourceAddresses SYSTEM_CHOICE = new SourceAddresses(List.of());

    private final List<InetAddress> addresses;
    private final AtomicInteger next = new AtomicInteger();

    private SourceAddresses(List<InetAddress> addresses) {
        this.addresses = List.copyOf(addresses);
    }

    /** No binding: the system picks the source address, as for any client. */
    public static SourceAddresses systemChoice() {
        return SYSTEM_CHOICE;
    }

    /**
     * {@code 127.0.0.2} to {@code 127.0.0.(count + 1)}. They start after 127.0.0.1, the
     * system's own choice for loopback, so a server's logs show the spreading at a glance.
     *
     * @param count how many addresses, 1 to 250
     */
    public static SourceAddresses loopback(int count) {
        if (count < 1 || count > 250) {
            throw new IllegalArgumentException("between 1 and 250 loopback source addresses, got " + count);
        }
        List<InetAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            try {
                addresses.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}));
            } catch (UnknownHostException e) {
                throw new AssertionError("four bytes are always an address", e);
            }
        }
        return new SourceAddresses(addresses);
    }

    /** The address for the next connection; null when the system is to choose. */
    public InetAddress next() {
        if (addresses.isEmpty()) {
            return null;
        }
        return addresses.get(Math.floorMod(next.getAndIncrement(), addresses.size()));
    }

    /** How many addresses are used; 0 when the system chooses. */
    public int count() {
        return addresses.size();
    }
}
