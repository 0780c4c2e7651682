package org.parsepush.gateway.store;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.mongodb.MongoMetricsCommandListener;
import io.micrometer.core.instrument.binder.mongodb.MongoMetricsConnectionPoolListener;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.parsepush.gateway.config.MongoSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one MongoDB client. With no URI configured it first starts the embedded
 * database and connects to it over TCP.
 */
public final class MongoConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MongoConnection.class);

    private final EmbeddedMongo embedded;
    private final MongoClient client;
    private final String connectionString;
    private final long pingTimeoutMillis;

    private MongoConnection(EmbeddedMongo embedded, MongoClient client, String connectionString,
                            long pingTimeoutMillis) {
        this.embedded = embedded;
        this.client = client;
        this.connectionString = connectionString;
        this.pingTimeoutMillis = pingTimeoutMillis;
    }

    /**
     * Connects as configured, starting the embedded database when there is no URI. Every
     * command's time ({@code mongodb_driver_commands_seconds}, by command and collection) and
     * the connection pool ({@code mongodb_driver_pool_*}) are metered into {@code registry}:
     * what the database answers in is what accepting and checkpointing a push waits for.
     */
    public static MongoConnection open(MongoSettings settings, Path dataDir, MeterRegistry registry) {
        EmbeddedMongo embedded = settings.embedded() ? EmbeddedMongo.start(dataDir, settings.embeddedPort()) : null;
        String uri = embedded != null ? embedded.connectionString() : settings.uri();
        ConnectionString connection = new ConnectionString(uri);
        MongoClientSettings.Builder builder = MongoClientSettings.builder()
                .applicationName("parse-push-gateway")
                .applyConnectionString(connection)
                .addCommandListener(new MongoMetricsCommandListener(registry))
                .applyToConnectionPoolSettings(pool -> pool.addConnectionPoolListener(
                        new MongoMetricsConnectionPoolListener(registry)));
        if (connection.getServerSelectionTimeout() == null) {
            builder.applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(
                    settings.operationTimeoutMillis(), TimeUnit.MILLISECONDS));
        }
        MongoClient client = MongoClients.create(builder.build());
        if (embedded == null) {
            // Hosts only: the URI may carry a password.
            log.info("using MongoDB at {}", connection.getHosts());
        }
        return new MongoConnection(embedded, client, uri, settings.operationTimeoutMillis());
    }

    /** A database by name. */
    public MongoDatabase database(String name) {
        return client.getDatabase(name);
    }

    /** True when the database answers a ping within the operation timeout. */
    public boolean ping() {
        try {
            client.getDatabase("admin").withTimeout(pingTimeoutMillis, TimeUnit.MILLISECONDS)
                    .runCommand(new Document("ping", 1));
            return true;
        } catch (RuntimeException e) {
            log.debug("MongoDB ping failed: {}", e.toString());
            return false;
        }
    }

    /**
     * The connection string in use. For the embedded database it is the loopback address
     * that other local programs (Parse Server, tests) can use; it may hold credentials
     * otherwise, so never log it.
     */
    public String connectionString() {
        return connectionString;
    }

    /** Whether this is the embedded database. */
    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        client.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
