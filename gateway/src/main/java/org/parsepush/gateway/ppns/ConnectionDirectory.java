package org.parsepush.gateway.ppns;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;

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

    /**
     * A device connected here ({@code connected}), or its last connection here closed.
     *
     * @param installationId the device
     * @param connected      true to claim the device for this replica, false to forget the claim
     */
    record Change(String installationId, boolean connected) {
    }

    /**
     * Applies changes in their order, in one bulk write. Forgetting a device leaves it alone
     * if another replica has taken it since.
     */
    void apply(List<Change> changes, String replica, Instant now) {
        if (changes.isEmpty()) {
            return;
        }
        Date refreshedAt = Date.from(now);
        List<WriteModel<Document>> writes = new ArrayList<>(changes.size());
        for (Change change : changes) {
            Bson entry = Filters.eq("_id", change.installationId());
            writes.add(change.connected()
                    ? new ReplaceOneModel<>(entry, new Document("_id", change.installationId())
                            .append(REPLICA, replica).append(REFRESHED_AT, refreshedAt), new ReplaceOptions().upsert(true))
                    : new DeleteOneModel<>(Filters.and(entry, Filters.eq(REPLICA, replica))));
        }
        entries.bulkWrite(writes, new BulkWriteOptions().ordered(true));
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
