package org.parsepush.gateway.report;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.parsepush.gateway.store.Expiry;
import org.parsepush.gateway.store.GroupCommit;
import org.bson.Document;
import org.parsepush.gateway.delivery.Outcome;

/**
 * The per-device outcomes of pushes, in the gateway's own collection, numbered per push so
 * {@code WatchPush} can follow a push from any point, also after it finished. Entries
 * expire after the configured retention.
 */
public final class OutcomeLog {

    /** The gateway's collection in each app's database. */
    public static final String COLLECTION = "push_gateway_outcomes";

    public static final String PUSH_ID = "pushId";
    public static final String SEQUENCE = "seq";
    public static final String INSTALLATION_ID = "installationId";
    public static final String DEVICE_TYPE = "deviceType";
    public static final String PROVIDER = "provider";
    public static final String KIND = "kind";
    public static final String REASON = "reason";
    public static final String DETAIL = "detail";
    public static final String TOKEN_DEAD = "tokenDead";
    public static final String TIME = "time";

    private final MongoCollection<Document> outcomes;
    private final Duration retention;

    private final GroupCommit commit;

    /** Appends go through {@code commit}, together with the other writes of the moment. */
    public OutcomeLog(MongoDatabase database, Duration retention, GroupCommit commit) {
        this.outcomes = database.getCollection(COLLECTION);
        this.retention = retention;
        this.commit = commit;
    }

    /** Creates the indexes (idempotent): lookups by push and sequence, and expiry. */
    public void createIndexes() {
        outcomes.createIndex(Indexes.ascending(PUSH_ID, SEQUENCE));
        Expiry.index(outcomes);
    }

    /** Appends outcomes numbered from {@code firstSequence}; returns the next free number. */
    public long append(String pushId, List<Outcome> batch, long firstSequence, Instant now) {
        if (batch.isEmpty()) {
            return firstSequence;
        }
        Date time = Date.from(now);
        Date expireAt = Date.from(now.plus(retention));
        List<Document> docs = new ArrayList<>(batch.size());
        long sequence = firstSequence;
        for (Outcome outcome : batch) {
            Document doc = new Document(PUSH_ID, pushId).append(SEQUENCE, sequence++)
                    .append(DEVICE_TYPE, outcome.device().deviceType())
                    .append(PROVIDER, outcome.provider())
                    .append(KIND, outcome.kind().name())
                    .append(TIME, time).append(Expiry.FIELD, expireAt);
            if (outcome.device().objectId() != null) {
                doc.append(INSTALLATION_ID, outcome.device().objectId());
            }
            if (outcome.reason() != null) {
                doc.append(REASON, outcome.reason().name());
            }
            if (outcome.detail() != null) {
                doc.append(DETAIL, outcome.detail());
            }
            if (outcome.tokenDead()) {
                doc.append(TOKEN_DEAD, true);
            }
            docs.add(doc);
        }
        commit.insertAll(outcomes, docs);
        return sequence;
    }

    /** Up to {@code limit} outcomes of a push after {@code afterSequence}, in order. */
    public List<Document> read(String pushId, long afterSequence, int limit) {
        return outcomes.find(Filters.and(Filters.eq(PUSH_ID, pushId), Filters.gt(SEQUENCE, afterSequence)))
                .sort(Sorts.ascending(SEQUENCE)).limit(limit).into(new ArrayList<>());
    }

    /** Removes expired entries (see {@link Expiry}). */
    public long purgeExpired(Instant now) {
        return Expiry.purge(outcomes, now);
    }
}
