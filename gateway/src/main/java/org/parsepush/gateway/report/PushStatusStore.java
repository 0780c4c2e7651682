package org.parsepush.gateway.report;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.parsepush.gateway.store.GroupCommit;
import org.parsepush.gateway.store.ParseCollectionIndex;
import org.parsepush.gateway.store.ParseNames;

/**
 * Reads and writes {@code _PushStatus} documents byte-compatible with Parse Server, so
 * Parse Dashboard lists the gateway's pushes like its own.
 */
public final class PushStatusStore {

    /** The gateway's precise state, beside Parse's coarser {@code status}. */
    static final String STATE = "state";
    /** The gateway's indexes on Parse's collection, named so operators know whose they are. */
    public static final String SCHEDULED_INDEX = "push_gateway_scheduled";
    public static final String LIST_INDEX = "push_gateway_newest";
    private static final String SCHEDULED = "scheduled";

    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MongoCollection<Document> statuses;
    private final GroupCommit commit;

    /** Writes that many pushes make at once go through {@code commit}. */
    public PushStatusStore(MongoDatabase database, GroupCommit commit) {
        this.statuses = database.getCollection(ParseNames.PUSH_STATUS);
        this.commit = commit;
    }

    /**
     * The index that {@link #scheduled(int)} reads. It is partial: it holds only the documents
     * with status {@code scheduled}, a handful, so it costs Parse's writes next to nothing, while
     * without it every poll reads the whole {@code _PushStatus}, which Parse never trims and
     * every push adds to.
     */
    public ParseCollectionIndex scheduledIndex() {
        return new ParseCollectionIndex(statuses, PushStatusFields.STATUS, new IndexOptions().name(SCHEDULED_INDEX)
                .partialFilterExpression(Filters.eq(PushStatusFields.STATUS, SCHEDULED)));
    }

    /**
     * The index that {@link #list} pages through, newest first. Parse makes none on this
     * collection, which every push adds to and nothing trims, so without it every page sorts
     * the whole collection. Parse Dashboard's list of pushes, newest first, is served by it too.
     */
    public ParseCollectionIndex listIndex() {
        return new ParseCollectionIndex(statuses, List.of(ParseNames.CREATED_AT, ParseNames.ID),
                new IndexOptions().name(LIST_INDEX));
    }

    /** A new objectId the way Parse makes them: 10 random alphanumerics. */
    public static String newObjectId() {
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length()));
        }
        return new String(id);
    }

    /** Writes the initial document: master-key-only ACL, Parse's fields, no counts yet. */
    public void create(NewPushStatus status, Instant now) {
        GroupCommit.Round round = commit.round();
        GroupCommit.Pending created = create(round, status, now);
        round.send();
        created.await();
    }

    /** {@link #create(NewPushStatus, Instant)} as part of {@code round}: written with the rest of it. */
    public GroupCommit.Pending create(GroupCommit.Round round, NewPushStatus status, Instant now) {
        Document doc = new Document(ParseNames.ID, status.pushId())
                .append(PushStatusFields.PUSH_TIME, status.pushTime())
                .append(PushStatusFields.QUERY, status.queryJson())
                .append(PushStatusFields.PAYLOAD, status.payloadJson())
                .append(PushStatusFields.SOURCE, status.source())
                .append(PushStatusFields.STATUS, status.state().parseStatus())
                .append(STATE, status.state().name().toLowerCase(java.util.Locale.ROOT))
                .append(PushStatusFields.NUM_SENT, 0)
                .append(PushStatusFields.PUSH_HASH, status.pushHash())
                .append(ParseNames.READ_PERMISSIONS, List.of())
                .append(ParseNames.WRITE_PERMISSIONS, List.of())
                .append(ParseNames.ACL, new Document())
                .append(ParseNames.CREATED_AT, Date.from(now))
                .append(ParseNames.UPDATED_AT, Date.from(now));
        if (status.state() == PushState.RUNNING) {
            doc.append(PushStatusFields.STARTED_AT, Date.from(now));
        }
        if (status.title() != null) {
            doc.append(PushStatusFields.TITLE, status.title());
        }
        if (status.expiry() != null) {
            doc.append(PushStatusFields.EXPIRY, status.expiry().toEpochMilli());
        }
        if (status.expirationIntervalSeconds() != null) {
            doc.append(PushStatusFields.EXPIRATION_INTERVAL, status.expirationIntervalSeconds());
        }
        return round.insert(statuses, doc);
    }

    /**
     * Marks the push running. Addressed by {@code _id} alone (any MongoDB finds it by its
     * primary key without looking at other documents): the caller has just made sure through
     * its job that the push is not cancelled, and settles a cancel that comes later.
     */
    public void markRunning(String pushId, Instant now) {
        commit.update(statuses, Filters.eq(ParseNames.ID, pushId), Updates.combine(
                state(PushState.RUNNING),
                Updates.set(PushStatusFields.STARTED_AT, Date.from(now)),
                Updates.set(ParseNames.UPDATED_AT, Date.from(now))));
    }

    /** Writes the counts so far (absolute values). */
    public void writeCounts(String pushId, PushCounts counts, Instant now) {
        commit.update(statuses, Filters.eq(ParseNames.ID, pushId), Updates.combine(
                setAll(counts.toDocument()), Updates.set(ParseNames.UPDATED_AT, Date.from(now))));
    }

    /** Writes the final state, counts and, when there is one, the error message. */
    public void finish(String pushId, PushState state, PushCounts counts, String errorMessage, Instant now) {
        GroupCommit.Round round = commit.round();
        GroupCommit.Pending finished = finish(round, pushId, state, counts, errorMessage, now);
        round.send();
        finished.await();
    }

    /** {@link #finish(String, PushState, PushCounts, String, Instant)} as part of {@code round}. */
    public GroupCommit.Pending finish(GroupCommit.Round round, String pushId, PushState state, PushCounts counts,
                                      String errorMessage, Instant now) {
        List<Bson> updates = new ArrayList<>();
        updates.add(state(state));
        updates.add(setAll(counts.toDocument()));
        updates.add(Updates.set(PushStatusFields.FINISHED_AT, Date.from(now)));
        updates.add(Updates.set(ParseNames.UPDATED_AT, Date.from(now)));
        updates.add(Updates.unset(PushStatusFields.COUNT));
        if (errorMessage != null) {
            updates.add(Updates.set(PushStatusFields.ERROR_MESSAGE, errorMessage));
        }
        return round.update(statuses, Filters.eq(ParseNames.ID, pushId), Updates.combine(updates), null);
    }

    /** One status document. */
    public Optional<Document> find(String pushId) {
        return Optional.ofNullable(statuses.find(Filters.eq(ParseNames.ID, pushId)).first());
    }

    /**
     * Where a page of {@link #list} ended: its last status. Pushes created in the same
     * millisecond are told apart by id, so none falls between two pages.
     */
    public record ListPosition(Date createdAt, String pushId) {
    }

    /** Status documents, newest first (then by id, descending), after {@code after}; null for the first page. */
    public List<Document> list(ListPosition after, int limit) {
        Bson filter = after == null ? new Document() : Filters.or(
                Filters.lt(ParseNames.CREATED_AT, after.createdAt()),
                Filters.and(Filters.eq(ParseNames.CREATED_AT, after.createdAt()),
                        Filters.lt(ParseNames.ID, after.pushId())));
        return statuses.find(filter).sort(Sorts.descending(ParseNames.CREATED_AT, ParseNames.ID)).limit(limit)
                .into(new ArrayList<>());
    }

    /** Pushes Parse Server recorded as scheduled (the gateway's own carry its state beside). */
    public List<Document> scheduled(int limit) {
        return statuses.find(Filters.and(Filters.eq(PushStatusFields.STATUS, SCHEDULED), Filters.exists(STATE, false)))
                .limit(limit).into(new ArrayList<>());
    }

    /** The precise state of a stored status document. */
    public static PushState stateOf(Document status) {
        return PushState.fromStored(status.getString(STATE), status.getString(PushStatusFields.STATUS));
    }

    private static Bson state(PushState state) {
        return Updates.combine(Updates.set(PushStatusFields.STATUS, state.parseStatus()),
                Updates.set(STATE, state.name().toLowerCase(java.util.Locale.ROOT)));
    }

    private static Bson setAll(Document fields) {
        List<Bson> sets = new ArrayList<>(fields.size());
        fields.forEach((key, value) -> sets.add(Updates.set(key, value)));
        return Updates.combine(sets);
    }
}
