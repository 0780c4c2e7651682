package org.parsepush.gateway;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A mongo-java-server with its H2 file backend on a loopback port that can be stopped and
 * started again on the same port with the same data, as a MongoDB that goes away for a
 * while. Reached through the real driver over TCP.
 */
public final class RestartableMongo implements AutoCloseable {

    private final Path file;
    private final int port;
    private final MongoClient client;
    private MongoServer server;

    private RestartableMongo(Path file) {
        this.file = file;
        this.server = new MongoServer(new H2Backend(file.toString()));
        this.port = server.bind().getPort();
        this.client = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri()))
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(10, TimeUnit.SECONDS))
                .build());
    }

    /** Starts on a free loopback port with its data file in {@code dir}. */
    public static RestartableMongo start(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        return new RestartableMongo(dir.resolve("mongo.mv"));
    }

    public String uri() {
        return "mongodb://127.0.0.1:" + port;
    }

    /** A database through the test's own client (it waits for a stopped server to come back). */
    public MongoDatabase database(String name) {
        return client.getDatabase(name);
    }

    /** Closes every connection and the data file: the database is gone until {@link #restart()}. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server = null;
        }
    }

    /** Opens the same data file and listens on the same port again. */
    public synchronized void restart() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            MongoServer again = new MongoServer(new H2Backend(file.toString()));
            try {
                again.bind("127.0.0.1", port);
                server = again;
                return;
            } catch (RuntimeException e) {
                again.shutdownNow();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    @Override
    public void close() {
        client.close();
        stop();
    }
}
