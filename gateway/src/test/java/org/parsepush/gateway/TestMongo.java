package org.parsepush.gateway;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * An in-memory mongo-java-server on a loopback port, reached through the real MongoDB
 * driver over TCP: the database a test shares with the gateway under test.
 */
public final class TestMongo implements AutoCloseable {

    private final MongoServer server;
    private final MongoClient client;
    private final String uri;

    private TestMongo(MongoServer server) {
        this.server = server;
        this.uri = "mongodb://127.0.0.1:" + server.getLocalAddress().getPort();
        this.client = MongoClients.create(uri);
    }

    public static TestMongo start() {
        MongoServer server = new MongoServer(H2Backend.inMemory());
        server.bind("127.0.0.1", 0);
        return new TestMongo(server);
    }

    /** The connection string, for a gateway's {@code mongo.uri}. */
    public String uri() {
        return uri;
    }

    public MongoDatabase database(String name) {
        return client.getDatabase(name);
    }

    /**
     * Adds {@code count} PPNS devices to {@code testdb}'s {@code _Installation} as Parse stores
     * them: object ids {@code <idPrefix>0..}, installation ids {@code <installationPrefix>0..},
     * all in {@code channel}.
     */
    public void embeddedDevices(String idPrefix, String installationPrefix, int count, String channel) {
        MongoCollection<Document> installations = database("testdb").getCollection("_Installation");
        for (int i = 0; i < count; i++) {
            installations.insertOne(new Document("_id", idPrefix + i).append("deviceType", "embedded")
                    .append("installationId", installationPrefix + i).append("channels", List.of(channel))
                    .append("_updated_at", new Date()));
        }
    }

    @Override
    public void close() {
        client.close();
        server.shutdownNow();
    }
}
