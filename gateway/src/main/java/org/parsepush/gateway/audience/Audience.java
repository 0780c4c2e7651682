package org.parsepush.gateway.audience;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.parsepush.gateway.store.ParseNames;

/**
 * Resolves targets into streams of installations for one app's database. Every target
 * ends as a MongoDB filter built by {@link WhereTranslator} (or as the explicit devices of
 * the request), and is read through one {@link AudienceCursor}.
 */
public final class Audience {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MongoDatabase database;
    private final MongoCollection<Document> installations;
    private final int cursorBatchSize;
    private final int maxSubqueryResults;
    private final WhereTranslator translator;

    public Audience(MongoDatabase database, int cursorBatchSize, int maxSubqueryResults) {
        this.database = database;
        this.installations = database.getCollection(ParseNames.INSTALLATION);
        this.cursorBatchSize = cursorBatchSize;
        this.maxSubqueryResults = maxSubqueryResults;
        this.translator = new WhereTranslator(className -> ClassSchema.load(database, className), this::subqueryIds);
    }

    /** Checks and translates a target to push to; a saved audience is marked as used. */
    public ResolvedAudience resolve(Target target) {
        return resolve(target, true);
    }

    /** Checks and translates a target only to look at it: a saved audience is not marked as used. */
    public ResolvedAudience preview(Target target) {
        return resolve(target, false);
    }

    private ResolvedAudience resolve(Target target, boolean markUsed) {
        if (target instanceof Target.Where where) {
            return fromWhere(where.where());
        }
        if (target instanceof Target.SavedAudience saved) {
            return fromWhere(loadSavedAudience(saved.audienceId(), markUsed));
        }
        List<Installation> devices = ((Target.Devices) target).devices();
        return new ResolvedAudience(describe(devices), null, devices);
    }

    /** Re-translates a recorded query (for a job resumed after a restart). */
    public ResolvedAudience fromWhereJson(String whereJson) {
        return fromWhere(parse(whereJson, "where"));
    }

    /** Streams the audience in {@code _id} order, after {@code afterId} when resuming. */
    public AudienceCursor open(ResolvedAudience audience, String afterId) {
        if (audience.explicit()) {
            return AudienceCursor.of(audience.devices());
        }
        return AudienceCursor.open(installations, audience.filter(), afterId, cursorBatchSize);
    }

    /**
     * Parse's badge "Increment": adds one to {@code badge} of the matching installations of
     * the given device types, before they are read and sent their new values.
     */
    public long incrementBadges(ResolvedAudience audience, Collection<String> deviceTypes) {
        if (audience.explicit()) {
            return 0;
        }
        Bson filter = Filters.and(audience.filter(), Filters.in(ParseNames.DEVICE_TYPE, deviceTypes));
        return installations.updateMany(filter, Updates.combine(Updates.inc(ParseNames.BADGE, 1),
                Updates.set(ParseNames.UPDATED_AT, new Date()))).getModifiedCount();
    }

    private ResolvedAudience fromWhere(JsonNode where) {
        Document filter = translator.translate(ParseNames.INSTALLATION, where);
        return new ResolvedAudience(where.toString(), filter, List.of());
    }

    private JsonNode loadSavedAudience(String audienceId, boolean markUsed) {
        MongoCollection<Document> audiences = database.getCollection(ParseNames.AUDIENCE);
        Document saved = audiences.find(Filters.eq(ParseNames.ID, audienceId)).first();
        if (saved == null) {
            throw new InvalidQueryException("audience_id: no _Audience with objectId '" + audienceId + "'");
        }
        Object query = saved.get(ParseNames.AUDIENCE_QUERY);
        if (!(query instanceof String json)) {
            throw new InvalidQueryException("audience_id: _Audience '" + audienceId + "' has no query");
        }
        JsonNode where = parse(json, "the query of _Audience '" + audienceId + "'");
        // Parse Dashboard saves {"where": {...}} in some versions, the bare where in others.
        if (where.has("where") && where.get("where").isObject() && where.size() == 1) {
            where = where.get("where");
        }
        if (markUsed) {
            audiences.updateOne(Filters.eq(ParseNames.ID, audienceId), Updates.combine(
                    Updates.set(ParseNames.AUDIENCE_LAST_USED, new Date()),
                    Updates.inc(ParseNames.AUDIENCE_TIMES_USED, 1)));
        }
        return where;
    }

    private List<String> subqueryIds(String className, Document filter, String key) {
        List<String> ids = new ArrayList<>();
        try (MongoCursor<Document> cursor = database.getCollection(className).find(filter)
                .projection(Projections.include(ParseNames.ID)).batchSize(cursorBatchSize).cursor()) {
            while (cursor.hasNext()) {
                if (ids.size() == maxSubqueryResults) {
                    throw new InvalidQueryException("'" + key + "': the inner query on " + className
                            + " matches more than " + maxSubqueryResults + " objects; narrow it");
                }
                ids.add(String.valueOf(cursor.next().get(ParseNames.ID)));
            }
        }
        return ids;
    }

    /** Parses JSON text into a tree, or fails naming {@code what}. */
    public static JsonNode parse(String json, String what) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new InvalidQueryException(what + " must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidQueryException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String describe(List<Installation> devices) {
        var tokens = JSON.createArrayNode();
        devices.forEach(device -> tokens.add(device.deviceToken()));
        var where = JSON.createObjectNode();
        where.putObject(ParseNames.DEVICE_TOKEN).set("$in", tokens);
        return where.toString();
    }
}
