package org.parsepush.gateway.ppns;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.parsepush.gateway.store.Expiry;
import org.parsepush.ppns.Handshake;

/**
 * Every push for a PPNS device, kept until it expires: devices never acknowledge, they
 * only say which push they saw last when they reconnect, so the inbox replays what is newer.
 * Entries may name the replica holding the device's connection, which delivers them live.
 */
final class Inbox {

    static final String COLLECTION = "push_gateway_ppns_inbox";
    static final String INSTALLATION_ID = "installationId";
    static final String PUSH_ID = "pushId";
    static final String TIME = "time";
    static final String LINE = "line";
    static final String FOR_REPLICA = "forReplica";

    private final MongoCollection<Document> entries;

    Inbox(MongoDatabase database) {
        this.entries = database.getCollection(COLLECTION);
    }

    void createIndexes() {
        entries.createIndex(Indexes.ascending(INSTALLATION_ID, TIME));
        entries.createIndex(Indexes.ascending(FOR_REPLICA));
        Expiry.index(entries);
    }

    /** One push for one device. {@code forReplica} is the replica to deliver it live, or null. */
    static Document entry(String installationId, String pushId, Instant time, String line, Instant expireAt,
                          String forReplica) {
        Document entry = new Document("_id", new ObjectId()).append(INSTALLATION_ID, installationId)
                .append(PUSH_ID, pushId).append(TIME, Date.from(time)).append(LINE, line)
                .append(Expiry.FIELD, Date.from(expireAt));
        if (forReplica != null) {
            entry.append(FOR_REPLICA, forReplica);
        }
        return entry;
    }

    void add(List<Document> batch) {
        if (!batch.isEmpty()) {
            entries.insertMany(batch);
        }
    }

    /**
     * What each of these devices that just connected has not seen, oldest first: newer than
     * its {@code last}, not older than {@code ignore_after}, not in {@code last_seen}, not
     * expired; at most {@code limit} each. One query serves the whole batch.
     *
     * @return one list per handshake, in the handshakes' order
     */
    List<List<Document>> replay(List<Handshake> handshakes, Instant now, int limit) {
        Set<String> ids = new HashSet<>();
        handshakes.forEach(handshake -> ids.add(handshake.installationId()));
        Map<String, List<Document>> pending = new HashMap<>();
        entries.find(Filters.and(Filters.in(INSTALLATION_ID, ids), Filters.gt(Expiry.FIELD, Date.from(now))))
                .sort(Sorts.ascending(TIME, "_id"))
                .forEach(entry -> pending.computeIfAbsent(entry.getString(INSTALLATION_ID), id -> new ArrayList<>())
                        .add(entry));
        List<List<Document>> missed = new ArrayList<>(handshakes.size());
        for (Handshake handshake : handshakes) {
            missed.add(pending.getOrDefault(handshake.installationId(), List.of()).stream()
                    .filter(entry -> missed(handshake, entry)).limit(limit).toList());
        }
        return missed;
    }

    /** Whether the device has not seen the entry, judged as the database would (milliseconds). */
    private static boolean missed(Handshake handshake, Document entry) {
        Date time = entry.getDate(TIME);
        return (handshake.last() == null || time.after(Date.from(handshake.last())))
                && (handshake.ignoreAfter() == null || !time.before(Date.from(handshake.ignoreAfter())))
                && !handshake.lastSeen().contains(entry.getString(PUSH_ID));
    }

    /** Entries other replicas handed to {@code replica} for live delivery. */
    List<Document> handedTo(String replica, int limit) {
        return entries.find(Filters.eq(FOR_REPLICA, replica)).sort(Sorts.ascending(TIME, "_id")).limit(limit)
                .into(new ArrayList<>());
    }

    static final String DELIVERED_BY = "deliveredBy";

    /** Marks entries dealt with by their replica: written live, or left for the device's replay. */
    void settle(List<Object> written, List<Object> leftForReplay, String replica) {
        if (!written.isEmpty()) {
            entries.updateMany(Filters.in("_id", written),
                    Updates.combine(Updates.unset(FOR_REPLICA), Updates.set(DELIVERED_BY, replica)));
        }
        if (!leftForReplay.isEmpty()) {
            entries.updateMany(Filters.in("_id", leftForReplay), Updates.unset(FOR_REPLICA));
        }
    }

    /** Which of these entries another replica has written to a live connection. */
    Set<Object> delivered(List<Object> ids) {
        Set<Object> delivered = new HashSet<>();
        entries.find(Filters.and(Filters.in("_id", ids), Filters.exists(DELIVERED_BY)))
                .projection(new Document("_id", 1)).forEach(entry -> delivered.add(entry.get("_id")));
        return delivered;
    }

    long purgeExpired(Instant now) {
        return Expiry.purge(entries, now);
    }

    long size() {
        return entries.estimatedDocumentCount();
    }
}
