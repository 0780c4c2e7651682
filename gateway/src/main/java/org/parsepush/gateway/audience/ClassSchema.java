package org.parsepush.gateway.audience;

import com.mongodb.client.MongoDatabase;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.parsepush.gateway.store.ParseNames;

/**
 * What the translator needs from a Parse class schema ({@code _SCHEMA}): which fields are
 * pointers, and to which class. Parse stores a pointer field's type as {@code "*_User"}.
 */
final class ClassSchema {

    private final Map<String, String> pointerTargets;

    ClassSchema(Map<String, String> pointerTargets) {
        this.pointerTargets = Map.copyOf(pointerTargets);
    }

    static ClassSchema empty() {
        return new ClassSchema(Map.of());
    }

    /** Reads the class's entry in {@code _SCHEMA}; a class without one has no known pointers. */
    static ClassSchema load(MongoDatabase database, String className) {
        Document schema = database.getCollection(ParseNames.SCHEMA).find(new Document(ParseNames.ID, className)).first();
        Map<String, String> pointers = new HashMap<>();
        if (schema != null) {
            schema.forEach((field, type) -> {
                if (type instanceof String typeName && typeName.startsWith("*")) {
                    pointers.put(field, typeName.substring(1));
                }
            });
        }
        return new ClassSchema(pointers);
    }

    /** The target class when {@code field} is a pointer. */
    Optional<String> pointerTarget(String field) {
        return Optional.ofNullable(pointerTargets.get(field));
    }
}
