package org.parsepush.gateway.job;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.parsepush.gateway.report.PushState;
import org.parsepush.gateway.store.Expiry;
import org.parsepush.gateway.store.GroupCommit;

/**
 * Durable push jobs in the app's database (the gateway's own collections, which Parse
 * ignores). A job is run by one replica at a time under a lease that the replica renews
 * with every checkpoint; a lease that runs out lets another replica take the job over.
 * MongoDB is the only coordinator.
 */
public final class JobStore {

    static final String JOBS = "push_gateway_jobs";
    static final String IDEMPOTENCY = "push_gateway_idempotency";

    static final String ID = "_id";
    static final String SPEC = "spec";
    static final String STATE = "state";
    static final String NOT_BEFORE = "notBefore";
    static final String LEASE_OWNER = "leaseOwner";
    static final String LEASE_UNTIL = "leaseUntil";
    static final String PROGRESS = "progress";
    static final String CREATED_AT = "createdAt";
    static final String FINISHED_AT = "finishedAt";
    static final String PUSH_ID = "pushId";
    static final String CLEANUP_SINCE = "cleanupSince";

    private static final List<String> RUNNABLE = List.of(stored(PushState.PENDING), stored(PushState.SCHEDULED),
            stored(PushState.RUNNING));

    private final MongoCollection<Document> jobs;
    private final MongoCollection<Document> idempotency;
    private final GroupCommit commit;
    private final Duration keyRetention;
    private final Duration finishedRetention;

    /**
     * Writes that many pushes make at once (insert, checkpoint, finish) go through {@code commit}.
     * Idempotency keys expire {@code keyRetention} after their first use, finished jobs
     * {@code finishedRetention} after they end (see {@link Expiry}).
     */
    public JobStore(MongoDatabase database, GroupCommit commit, Duration keyRetention, Duration finishedRetention) {
        this.jobs = database.getCollection(JOBS);
        this.idempotency = database.getCollection(IDEMPOTENCY);
        this.commit = commit;
        this.keyRetention = keyRetention;
        this.finishedRetention = finishedRetention;
    }

    /** Creates the index the scheduler's query uses and those that expire documents (idempotent). */
    public void createIndexes() {
        jobs.createIndex(Indexes.ascending(STATE, NOT_BEFORE));
        Expiry.index(jobs);
        Expiry.index(idempotency);
    }

    /** Removes finished jobs and idempotency keys whose retention has run out; returns how many. */
    public long purgeExpired(Instant now) {
        return Expiry.purge(jobs, now) + Expiry.purge(idempotency, now);
    }

    static String stored(PushState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** Persists a new job, due at {@code notBefore}. */
    void insert(JobSpec spec, PushState state, Instant notBefore, Instant now) {
        commit.insert(jobs, new Document(ID, spec.pushId()).append(SPEC, spec.toDocument())
                .append(STATE, stored(state)).append(NOT_BEFORE, Date.from(notBefore)).append(LEASE_UNTIL, new Date(0))
                .append(CREATED_AT, Date.from(now)));
    }

    /**
     * A new job already held by {@code owner}, to be run at once by the replica that accepted
     * it: no other replica needs to look for it, and the push skips the claim.
     */
    static Document newHeldJob(JobSpec spec, String owner, Instant leaseUntil, Instant now) {
        return new Document(ID, spec.pushId()).append(SPEC, spec.toDocument())
                .append(STATE, stored(PushState.RUNNING)).append(NOT_BEFORE, Date.from(now))
                .append(LEASE_OWNER, owner).append(LEASE_UNTIL, Date.from(leaseUntil))
                .append(CREATED_AT, Date.from(now)).append(CLEANUP_SINCE, Date.from(now));
    }

    /** Inserts a job from {@link #newHeldJob} with the rest of {@code round}. */
    GroupCommit.Pending insert(GroupCommit.Round round, Document job) {
        return round.insert(jobs, job);
    }

    /**
     * Reserves an idempotency key for {@code pushId}; when the key was used before (and not
     * purged since), returns the push id it was first used for.
     */
    Optional<String> reserve(String key, String pushId, Instant now) {
        while (true) {
            try {
                commit.insert(idempotency, new Document(ID, key).append(PUSH_ID, pushId)
                        .append(Expiry.FIELD, Date.from(now.plus(keyRetention))));
                return Optional.empty();
            } catch (MongoWriteException e) {
                if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
            }
            Document first = idempotency.find(Filters.eq(ID, key)).first();
            if (first != null) {
                return Optional.of(first.getString(PUSH_ID));
            }
            // Purged between the two calls: its retention ran out, so this is a first use again.
        }
    }

    /** Takes the most overdue runnable job that no live replica holds, or nothing. */
    Optional<Document> claim(String owner, Instant now, Duration lease) {
        Bson due = Filters.and(Filters.in(STATE, RUNNABLE), Filters.lte(NOT_BEFORE, Date.from(now)),
                Filters.lt(LEASE_UNTIL, Date.from(now)));
        Document claimed = jobs.findOneAndUpdate(due, Updates.combine(
                        Updates.set(STATE, stored(PushState.RUNNING)), Updates.set(LEASE_OWNER, owner),
                        Updates.set(LEASE_UNTIL, Date.from(now.plus(lease)))),
                new FindOneAndUpdateOptions().sort(Sorts.ascending(NOT_BEFORE)).returnDocument(ReturnDocument.AFTER));
        return Optional.ofNullable(claimed);
    }

    /** The oldest due time among runnable jobs nobody holds (for the queue-lag metric). */
    Optional<Instant> oldestWaiting(Instant now) {
        Document oldest = jobs.find(Filters.and(Filters.in(STATE, RUNNABLE), Filters.lte(NOT_BEFORE, Date.from(now)),
                Filters.lt(LEASE_UNTIL, Date.from(now)))).sort(Sorts.ascending(NOT_BEFORE)).limit(1).first();
        return oldest == null ? Optional.empty() : Optional.of(oldest.getDate(NOT_BEFORE).toInstant());
    }

    /**
     * Renews the lease and records progress in one write. False when this replica no
     * longer holds the job (cancelled, or taken over after the lease ran out).
     */
    boolean checkpoint(String pushId, String owner, Instant leaseUntil, Document fields) {
        List<Bson> updates = new ArrayList<>();
        Date until = Date.from(leaseUntil);
        updates.add(Updates.set(LEASE_UNTIL, until));
        fields.forEach((key, value) -> updates.add(Updates.set(key, value)));
        return commit.update(jobs, held(pushId, owner), Updates.combine(updates),
                () -> heldNow(pushId, owner, PushState.RUNNING, LEASE_UNTIL, until));
    }

    /**
     * Whether {@code owner} still holds a job that waited in its memory before running (not
     * cancelled, not taken over). A read by {@code _id} while at least half the lease is left,
     * as no other replica may take the job before it runs out; otherwise the lease is renewed
     * by a write that only succeeds for the holder.
     */
    boolean confirmHeld(String pushId, String owner, Instant now, Duration lease) {
        Document current = jobs.find(Filters.eq(ID, pushId)).first();
        if (current == null || !owner.equals(current.getString(LEASE_OWNER))
                || !stored(PushState.RUNNING).equals(current.getString(STATE))) {
            return false;
        }
        if (current.getDate(LEASE_UNTIL).toInstant().isAfter(now.plus(lease.dividedBy(2)))) {
            return true;
        }
        return checkpoint(pushId, owner, now.plus(lease), new Document());
    }

    /** Gives a job back until {@code notBefore} (the next wave of a local-time push). */
    boolean reschedule(String pushId, String owner, Instant notBefore, Document fields) {
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.set(STATE, stored(PushState.SCHEDULED)));
        updates.add(Updates.set(NOT_BEFORE, Date.from(notBefore)));
        updates.add(Updates.set(LEASE_UNTIL, new Date(0)));
        fields.forEach((key, value) -> updates.add(Updates.set(key, value)));
        return jobs.updateOne(held(pushId, owner), Updates.combine(updates)).getMatchedCount() == 1;
    }

    /** Marks a held job finished; it expires after the retention for finished jobs. */
    boolean finish(String pushId, String owner, PushState state, Instant now) {
        Date finished = Date.from(now);
        return commit.update(jobs, held(pushId, owner), Updates.combine(Updates.set(STATE, stored(state)),
                Updates.set(FINISHED_AT, finished), expiresAfterFinishing(now), Updates.set(LEASE_UNTIL, new Date(0))),
                () -> heldNow(pushId, owner, state, FINISHED_AT, finished));
    }

    /**
     * Removes a held job that has ended, for pushes whose {@code _PushStatus} and outcome log
     * keep the whole record (see {@link JobSpec#removedWhenFinished()}): the job collection
     * then stays the size of what is waiting or running. False when this replica no longer
     * held it.
     */
    boolean remove(String pushId, String owner) {
        GroupCommit.Round round = commit.round();
        GroupCommit.Pending removed = remove(round, pushId, owner);
        round.send();
        return removed.await();
    }

    /** {@link #remove(String, String)} as part of {@code round}; the answer comes with the round. */
    GroupCommit.Pending remove(GroupCommit.Round round, String pushId, String owner) {
        return round.delete(jobs, held(pushId, owner), () -> jobs.find(Filters.eq(ID, pushId)).first() == null);
    }

    /** Whether the job now shows this owner's write: its state and the time it set. */
    private boolean heldNow(String pushId, String owner, PushState state, String timeField, Date time) {
        Document now = jobs.find(Filters.eq(ID, pushId)).first();
        return now != null && owner.equals(now.getString(LEASE_OWNER)) && stored(state).equals(now.getString(STATE))
                && time.equals(now.getDate(timeField));
    }

    /** Lets go of a held job at once (a clean shutdown), so the next replica need not wait for the lease. */
    void release(String pushId, String owner) {
        jobs.updateOne(held(pushId, owner), Updates.set(LEASE_UNTIL, new Date(0)));
    }

    /** Lets go of held jobs at once (a clean shutdown) in one write. */
    void release(List<String> pushIds, String owner) {
        jobs.updateMany(Filters.and(Filters.in(ID, pushIds), Filters.eq(LEASE_OWNER, owner),
                Filters.eq(STATE, stored(PushState.RUNNING))), Updates.set(LEASE_UNTIL, new Date(0)));
    }

    /** Cancels a job that has not finished; returns the job as it was before, or nothing. */
    Optional<Document> cancel(String pushId, Instant now) {
        Document before = jobs.findOneAndUpdate(Filters.and(Filters.eq(ID, pushId), Filters.in(STATE, RUNNABLE)),
                Updates.combine(Updates.set(STATE, stored(PushState.CANCELLED)),
                        Updates.set(FINISHED_AT, Date.from(now)), expiresAfterFinishing(now)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE));
        return Optional.ofNullable(before);
    }

    private Bson expiresAfterFinishing(Instant finished) {
        return Updates.set(Expiry.FIELD, Date.from(finished.plus(finishedRetention)));
    }

    /** Which of these push ids already have a job. */
    List<String> existing(List<String> pushIds) {
        List<String> found = new ArrayList<>();
        jobs.find(Filters.in(ID, pushIds)).projection(new Document(ID, 1))
                .forEach(doc -> found.add(doc.getString(ID)));
        return found;
    }

    Optional<Document> find(String pushId) {
        return Optional.ofNullable(jobs.find(Filters.eq(ID, pushId)).first());
    }

    private static Bson held(String pushId, String owner) {
        return Filters.and(Filters.eq(ID, pushId), Filters.eq(LEASE_OWNER, owner),
                Filters.eq(STATE, stored(PushState.RUNNING)));
    }
}
