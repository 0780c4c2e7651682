package org.parsepush.gateway;

import com.mongodb.client.MongoDatabase;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link TestMongo} for one test class, whose tests each start from an empty app database
 * (the one {@link TestGateway} serves). Register it as a static extension:
 * {@code @RegisterExtension static final EmptyDatabase mongo = new EmptyDatabase();}
 */
public final class EmptyDatabase implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private TestMongo mongo;

    @Override
    public void beforeAll(ExtensionContext context) {
        mongo = TestMongo.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        database().drop();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        mongo.close();
    }

    /** The connection string, for a gateway's {@code mongo.uri}. */
    public String uri() {
        return mongo.uri();
    }

    /** The app's database, empty when each test starts. */
    public MongoDatabase database() {
        return mongo.database(TestGateway.DATABASE);
    }
}
