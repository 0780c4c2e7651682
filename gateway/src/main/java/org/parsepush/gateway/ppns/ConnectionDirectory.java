package org.parsepush.gateway.ppns;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Which replica holds which device's connection, shared through MongoDB so a push whose
 * job runs on one replica reaches a device connected to another. Each replica refreshes its
 * own entries while it lives; an entry not refreshed for two periods belongs to a replica
 * that is gone.
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

    /** The index {@link #refresh} finds this replica's entries by. */
    void createIndexes() {
        entries.createIndex(Indexes.ascending(REPLICA));
    }

    /**
     * Keeps this replica's entries alive, found by replica rather than by listing its
     * devices: a filter of every connected device's id grows with the connections (a
     * 100,000-id {@code $in} is megabytes every refresh), and the embedded database took time
     * quadratic in them (18,900 connections: about 40 s, holding up every push to a device
     * not connected here). An entry whose device left without its departure written is kept
     * alive too; {@link #entriesOf} finds those.
     */
    void refresh(String replica, Instant now) {
        entries.updateMany(Filters.eq(REPLICA, replica), Updates.set(REFRESHED_AT, Date.from(now)));
    }

    /** Streams the installation ids of this replica's entries. */
    void entriesOf(String replica, Consumer<String> installationIds) {
        for (Document entry : entries.find(Filters.eq(REPLICA, replica)).projection(Projections.include("_id"))) {
            installationIds.accept(entry.getString("_id"));
        }
    }

    /**
     * The live replica holding each of these devices, for those connected anywhere. The query
     * is by {@code _id} alone, which every MongoDB answers from its {@code _id} index (with
     * the freshness in the filter the embedded database scanned the collection for each id);
     * stale entries are skipped here.
     */
    Map<String, String> owners(List<String> installationIds, Instant now) {
        Map<String, String> owners = new HashMap<>();
        Date fresh = Date.from(now.minus(refresh.multipliedBy(2)));
        for (Document entry : entries.find(Filters.in("_id", installationIds))) {
            Date refreshedAt = entry.getDate(REFRESHED_AT);
            if (refreshedAt != null && !refreshedAt.before(fresh)) {
                owners.put(entry.getString("_id"), entry.getString(REPLICA));
            }
        }
        return owners;
    }
}
