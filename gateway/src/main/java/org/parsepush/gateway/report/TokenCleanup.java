package org.parsepush.gateway.report;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.parsepush.gateway.delivery.Outcome;
import org.parsepush.gateway.store.ParseNames;

/**
 * Removes dead tokens from {@code _Installation}, safely: only the token that was actually
 * sent, and only if the installation was not updated after the push started, so a device
 * that registered again meanwhile keeps its new token. Collected from provider threads,
 * written in bulk by the job.
 */
public final class TokenCleanup {

    private final MongoCollection<Document> installations;
    private final boolean enabled;
    private final Instant pushStarted;
    private List<Outcome> pending = new ArrayList<>();

    public TokenCleanup(MongoDatabase database, boolean enabled, Instant pushStarted) {
        this.installations = database.getCollection(ParseNames.INSTALLATION);
        this.enabled = enabled;
        this.pushStarted = pushStarted;
    }

    /** Notes a dead token to remove at the next {@link #flush}. */
    public synchronized void add(Outcome outcome) {
        if (enabled && outcome.tokenDead() && outcome.device().objectId() != null
                && outcome.device().deviceToken() != null) {
            pending.add(outcome);
        }
    }

    /** Removes the tokens noted so far; returns how many installations lost their token. */
    public long flush(Instant now) {
        List<Outcome> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                return 0;
            }
            batch = pending;
            pending = new ArrayList<>();
        }
        List<WriteModel<Document>> writes = new ArrayList<>(batch.size());
        for (Outcome outcome : batch) {
            writes.add(new UpdateOneModel<>(Filters.and(
                    Filters.eq(ParseNames.ID, outcome.device().objectId()),
                    Filters.eq(ParseNames.DEVICE_TOKEN, outcome.device().deviceToken()),
                    Filters.or(Filters.lte(ParseNames.UPDATED_AT, Date.from(pushStarted)),
                            Filters.exists(ParseNames.UPDATED_AT, false))),
                    Updates.combine(Updates.unset(ParseNames.DEVICE_TOKEN),
                            Updates.set(ParseNames.UPDATED_AT, Date.from(now)))));
        }
        return installations.bulkWrite(writes).getModifiedCount();
    }
}
