package org.parsepush.gateway.audience;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.parsepush.gateway.store.ParseNames;

/**
 * Streams an audience in {@code _id} order through one MongoDB cursor, with only the fields
 * delivery needs, read one batch ahead ({@link ReadAhead}). Memory is a few driver batches,
 * whatever the audience size. A resumed job opens it after its checkpoint: the keyset
 * position {@code _id > after}.
 */
public final class AudienceCursor implements Iterator<Installation>, AutoCloseable {

    private final Iterator<Installation> source;
    private final AutoCloseable resource;

    private AudienceCursor(Iterator<Installation> source, AutoCloseable resource) {
        this.source = source;
        this.resource = resource;
    }

    /** Opens a cursor over the installations matching {@code filter}, after {@code afterId} if given. */
    static AudienceCursor open(MongoCollection<Document> installations, Bson filter, String afterId, int batchSize) {
        Bson query = afterId == null ? filter : Filters.and(filter, Filters.gt(ParseNames.ID, afterId));
        MongoCursor<Document> cursor = installations.find(query)
                .projection(Projections.include(Installation.FIELDS))
                .sort(Sorts.ascending(ParseNames.ID))
                .batchSize(batchSize)
                .cursor();
        ReadAhead batches = new ReadAhead(cursor);
        return new AudienceCursor(batches, batches);
    }

    /** A cursor over devices given explicitly in the request (already bounded by its size). */
    static AudienceCursor of(List<Installation> devices) {
        return new AudienceCursor(devices.iterator(), () -> { });
    }

    @Override
    public boolean hasNext() {
        return source.hasNext();
    }

    @Override
    public Installation next() {
        if (!source.hasNext()) {
            throw new NoSuchElementException();
        }
        return source.next();
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the audience cursor", e);
        }
    }
}
