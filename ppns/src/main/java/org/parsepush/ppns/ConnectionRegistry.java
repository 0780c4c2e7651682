package org.parsepush.ppns;

import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices connected to this server, one connection per installation of an app: a
 * device that reconnects (after a network change, say) replaces its old connection, which
 * is closed, so a push is never written to a dead socket while a live one waits.
 *
 * <p>Local to one server: with several gateway replicas, each knows only its own devices.
 */
public final class ConnectionRegistry implements Iterable<PpnsConnection> {

    private static final Logger log = LoggerFactory.getLogger(ConnectionRegistry.class);

    private final ConcurrentMap<DeviceKey, PpnsConnection> connections = new ConcurrentHashMap<>();
    private final ConnectionListener listener;
    private final PpnsMetrics metrics;

    ConnectionRegistry(ConnectionListener listener, PpnsMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    /** The installation's connection, if it is connected here; the id is matched case-insensitively. */
    public Optional<PpnsConnection> find(String applicationId, String installationId) {
        return Optional.ofNullable(connections.get(new DeviceKey(applicationId, installationId.toLowerCase(Locale.ROOT))));
    }

    /** How many devices are connected. */
    public int count() {
        return connections.size();
    }

    /** The connected devices; weakly consistent: devices may come and go while iterating. */
    @Override
    public Iterator<PpnsConnection> iterator() {
        return connections.values().iterator();
    }

    /** The connected devices as a stream, e.g. to pick one app's. */
    public Stream<PpnsConnection> stream() {
        return connections.values().stream();
    }

    /**
     * Registers an admitted, open connection and closes the one it replaces. Called on the
     * connection's event loop, so the connection cannot close before its listener is set.
     */
    void register(PpnsConnection connection) {
        DeviceKey key = DeviceKey.of(connection);
        PpnsConnection previous = connections.put(key, connection);
        if (previous != null) {
            previous.close(DisconnectReason.REPLACED);
        }
        notifyListener(connection, true);
        connection.channel().closeFuture().addListener(future -> unregister(key, connection));
    }

    private void unregister(DeviceKey key, PpnsConnection connection) {
        connections.remove(key, connection);
        metrics.disconnect(connection.closeReason());
        notifyListener(connection, false);
    }

    private void notifyListener(PpnsConnection connection, boolean connected) {
        try {
            if (connected) {
                listener.connected(connection);
            } else {
                listener.disconnected(connection);
            }
        } catch (RuntimeException e) {
            // The gateway's failure must not leave the registry half-updated.
            log.warn("connection listener failed for {}", connection, e);
        }
    }

    private record DeviceKey(String applicationId, String installationId) {

        static DeviceKey of(PpnsConnection connection) {
            return new DeviceKey(connection.applicationId(), connection.installationId());
        }
    }
}
