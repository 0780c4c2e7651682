package org.parsepush.ppns;

import java.util.concurrent.CompletableFuture;

/**
 * The gateway's say over who connects: PPNS itself knows no apps and no installations.
 */
@FunctionalInterface
public interface DeviceAdmission {

    /**
     * Decides whether the device that sent {@code handshake} may connect.
     *
     * <p>Called on the connection's event loop, which also serves many other devices: return
     * at once and do any lookup (a database query) on your own executor. Until the future
     * completes, the device's further lines wait; if it does not complete within the
     * handshake timeout, the device is disconnected. A future completed exceptionally
     * disconnects the device as well.
     */
    CompletableFuture<Admission> admit(Handshake handshake);
}
