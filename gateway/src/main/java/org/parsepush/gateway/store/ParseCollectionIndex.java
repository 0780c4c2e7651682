package org.parsepush.gateway.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An index the gateway makes on one of Parse's collections, for a query of its own that
 * would otherwise read the whole collection. The collection is the operator's: an index that
 * already starts with the same fields serves the query as it is, and a failure (no permission,
 * a clashing index) is reported and lived with, since the query still works, only slower.
 * The index is named (in its options) so that operators can tell whose it is.
 */
public final class ParseCollectionIndex {

    private static final Logger log = LoggerFactory.getLogger(ParseCollectionIndex.class);

    private final MongoCollection<Document> collection;
    private final List<String> fields;
    private final IndexOptions options;

    /** An ascending index on {@code field}; {@code options} name it and may make it partial. */
    public ParseCollectionIndex(MongoCollection<Document> collection, String field, IndexOptions options) {
        this(collection, List.of(field), options);
    }

    /**
     * An ascending index on {@code fields}, in that order (it serves sorts on them either way
     * round); {@code options} name it and may make it partial.
     */
    public ParseCollectionIndex(MongoCollection<Document> collection, List<String> fields, IndexOptions options) {
        this.collection = collection;
        this.fields = List.copyOf(fields);
        this.options = options;
    }

    /**
     * Creates the index unless an index starting with the fields is there already. Blocks for
     * the build, which on a large collection takes a while.
     *
     * @return whether this call created it
     */
    public boolean ensure() {
        boolean present = collection.listIndexes().into(new ArrayList<>()).stream()
                .map(index -> index.get("key", Document.class)).anyMatch(this::startsWithFields);
        if (present) {
            return false;
        }
        collection.createIndex(Indexes.ascending(fields), options);
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

    private boolean startsWithFields(Document key) {
        return key != null && key.size() >= fields.size()
                && fields.equals(new ArrayList<>(key.keySet()).subList(0, fields.size()));
    }
}
