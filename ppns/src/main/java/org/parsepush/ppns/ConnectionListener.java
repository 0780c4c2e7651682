package org.parsepush.ppns;

/**
 * Tells the gateway which devices are online, e.g. to replay missed pushes on connect.
 *
 * <p>Both methods run on the connection's event loop: do not block in them. Each
 * connection gets exactly one {@code connected} and, later, one {@code disconnected}.
 * When a device reconnects, the new connection's {@code connected} may come before the
 * old one's {@code disconnected}: look devices up in the {@link ConnectionRegistry}
 * rather than keeping a second map.
 */
public interface ConnectionListener {

    /** Does nothing: for a gateway that only looks devices up in the registry. */
    ConnectionListener NONE = new ConnectionListener() {
        @Override
        public void connected(PpnsConnection connection) {
        }

        @Override
        public void disconnected(PpnsConnection connection) {
        }
    };

    /** The device was admitted and is registered; lines sent to it from now on are delivered. */
    void connected(PpnsConnection connection);

    /** The device's connection is closed, for whatever reason. */
    void disconnected(PpnsConnection connection);
}
