package org.parsepush.gateway.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bson.Document;

/**
 * Documents of the gateway's own collections that may go after a while: each carries the
 * moment in {@link #FIELD}. MongoDB's TTL monitor removes them through {@link #index}; the
 * gateway also removes them itself with {@link #purge}, because the monitor may be switched
 * off or missing (it is a server feature, not a guarantee) and only runs once a minute.
 * Documents without the field never expire.
 */
public final class Expiry {

    /** When the document may be removed. */
    public static final String FIELD = "expireAt";

    private Expiry() {
    }

    /** Creates the TTL index on {@link #FIELD} (idempotent). */
    public static void index(MongoCollection<Document> collection) {
        collection.createIndex(Indexes.ascending(FIELD), new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
    }

    /** Removes the documents that expired by {@code now}; returns how many. */
    public static long purge(MongoCollection<Document> collection, Instant now) {
        return collection.deleteMany(Filters.lte(FIELD, Date.from(now))).getDeletedCount();
    }
}
