package org.parsepush.gateway.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.util.ArrayList;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An index the gateway makes on one of Parse's collections, for a query of its own that
 * would otherwise read the whole collection. The collection is the operator's: an index that
 * already starts with the same field serves the query as it is, and a failure (no permission,
 * a clashing index) is reported and lived with, since the query still works, only slower.
 * The index is named (in its options) so that operators can tell whose it is.
 */
public final class ParseCollectionIndex {

    private static final Logger log = LoggerFactory.getLogger(ParseCollectionIndex.class);

    private final MongoCollection<Document> collection;
    private final String field;
    private final IndexOptions options;

    /** An ascending index on {@code field}; {@code options} name it and may make it partial. */
    public ParseCollectionIndex(MongoCollection<Document> collection, String field, IndexOptions options) {
        this.collection = collection;
        this.field = field;
        this.options = options;
    }

    /**
     * Creates the index unless an index starting with the field is there already. Blocks for
     * the build, which on a large collection takes a while.
     *
     * @return whether this call created it
     */
    public boolean ensure() {
        boolean present = collection.listIndexes().into(new ArrayList<>()).stream()
                .map(index -> index.get("key", Document.class)).anyMatch(this::startsWithField);
        if (present) {
            return false;
        }
        collection.createIndex(Indexes.ascending(field), options);
        return true;
    }

    /** {@link #ensure()}, logging the outcome; {@code withoutIt} tells the operator what a failure costs. */
    public void ensureOrWarn(String appId, String withoutIt) {
        String where = collection.getNamespace().getCollectionName();
        try {
            if (ensure()) {
                log.info("app {}: created the index {} on {}", appId, options.getName(), where);
            }
        } catch (RuntimeException e) { // mostly a MongoException; no caller would report it
            log.warn("app {}: cannot create the index {} on {} ({}); {}", appId, options.getName(), where,
                    e.getMessage(), withoutIt);
        }
    }

    private boolean startsWithField(Document key) {
        return key != null && !key.isEmpty() && field.equals(key.keySet().iterator().next());
    }
}
