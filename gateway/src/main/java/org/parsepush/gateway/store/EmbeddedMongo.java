package org.parsepush.gateway.store;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.parsepush.gateway.config.ConfigException;
import org.parsepush.gateway.config.PortInUseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default database: mongo-java-server with its H2 file backend, listening
 * on loopback. The gateway reaches it over TCP with the real MongoDB driver, exactly as
 * it reaches a production MongoDB, so nothing else in the gateway knows it exists.
 */
final class EmbeddedMongo implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMongo.class);
    static final String FILE_NAME = "embedded-mongo.mv";

    private final MongoServer server;
    private final InetSocketAddress address;

    private EmbeddedMongo(MongoServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /** Opens (or creates) the database file in {@code dataDir} and listens on 127.0.0.1:port. */
    static EmbeddedMongo start(Path dataDir, int port) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            // A container's read-only root or a volume owned by another user, most often.
            throw new ConfigException("dataDir: cannot create " + dataDir.toAbsolutePath().normalize() + " ("
                    + e.getClass().getSimpleName() + "): give the gateway's user a writable directory there, or set"
                    + " dataDir (GATEWAY_DATA_DIR) to one; in a container, mount a volume at the image's working"
                    + " directory, /var/lib/push-gateway");
        }
        H2Backend backend;
        try {
            backend = new H2Backend(file.toString());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the embedded database file " + file.toAbsolutePath()
                    + " (is another gateway using this data directory?)", e);
        }
        MongoServer server = new MongoServer(backend);
        try {
            server.bind("127.0.0.1", port);
        } catch (Exception e) { // mongo-java-server rethrows the BindException unchecked
            server.shutdownNow();
            if (causedByBind(e)) {
                throw new PortInUseException("mongo.embeddedPort", "127.0.0.1", port);
            }
            throw new IllegalStateException("cannot start the embedded database", e);
        }
        InetSocketAddress address = server.getLocalAddress();
        log.info("embedded MongoDB listening on mongodb://127.0.0.1:{} (data in {})",
                address.getPort(), file.toAbsolutePath());
        return new EmbeddedMongo(server, address);
    }

    /** A connection string for the driver. */
    String connectionString() {
        return "mongodb://127.0.0.1:" + address.getPort();
    }

    @Override
    public void close() {
        // shutdown() closes the backend, which commits the H2 store to disk.
        server.shutdown();
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
