package org.parsepush.gateway.ppns;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * Which replica holds which device's connection, shared through MongoDB so a push whose
 * job runs on one replica reaches a device connected to another. Entries are refreshed while
 * connected; an entry not refreshed for two periods belongs to a replica that is gone.
 */
final class ConnectionDirectory {

    static final String COLLECTION = "push_gateway_ppns_connections";
    private static final String REPLICA = "replica";
    private static final String REFRESHED_AT = "refreshedAt";

    private final MongoCollection<Document> entries;
    private final Duration refresh;

    ConnectionDirectory(MongoDatabase database, Duration refresh) {
        this.entries = database.getCollection(COLLECTION);
        this.refresh = refresh;
    }

    void register(String installationId, String replica, Instant now) {
        entries.replaceOne(Filters.eq("_id", installationId), new Document("_id", installationId)
                .append(REPLICA, replica).append(REFRESHED_AT, Date.from(now)), new ReplaceOptions().upsert(true));
    }

    /** Forgets a connection, unless another replica has taken the device since. */
    void unregister(String installationId, String replica) {
        entries.deleteOne(Filters.and(Filters.eq("_id", installationId), Filters.eq(REPLICA, replica)));
    }

    /** Keeps this replica's entries alive. */
    void refresh(Collection<String> installationIds, String replica, Instant now) {
        if (!installationIds.isEmpty()) {
            entries.updateMany(Filters.and(Filters.in("_id", installationIds), Filters.eq(REPLICA, replica)),
                    Updates.set(REFRESHED_AT, Date.from(now)));
        }
    }

    /** The live replica holding each of these devices, for those connected anywhere. */
    Map<String, String> owners(List<String> installationIds, Instant now) {
        Map<String, String> owners = new HashMap<>();
        Date fresh = Date.from(now.minus(refresh.multipliedBy(2)));
        entries.find(Filters.and(Filters.in("_id", installationIds), Filters.gte(REFRESHED_AT, fresh)))
                .forEach(entry -> owners.put(entry.getString("_id"), entry.getString(REPLICA)));
        return owners;
    }
}
