package org.parsepush.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.parsepush.gateway.store.ParseNames;

/** Stored Parse documents in the shape Parse's REST API answers with. */
final class ParseObjects {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParseObjects() {
    }

    /** {@code _id} to {@code objectId}, {@code _created_at}/{@code _updated_at} to ISO strings, permissions to {@code ACL}. */
    static ObjectNode toRest(Document doc) {
        ObjectNode object = JSON.createObjectNode();
        for (Map.Entry<String, Object> field : doc.entrySet()) {
            String key = field.getKey();
            switch (key) {
                case ParseNames.ID -> object.put("objectId", String.valueOf(field.getValue()));
                case ParseNames.CREATED_AT -> object.put("createdAt", iso((Date) field.getValue()));
                case ParseNames.UPDATED_AT -> object.put("updatedAt", iso((Date) field.getValue()));
                case ParseNames.READ_PERMISSIONS, ParseNames.WRITE_PERMISSIONS -> { }
                case ParseNames.ACL -> object.putObject("ACL");
                default -> {
                    if (!key.startsWith("_") && !key.equals("state")) {
                        object.set(key, JSON.valueToTree(value(field.getValue())));
                    }
                }
            }
        }
        return object;
    }

    private static Object value(Object value) {
        if (value instanceof Date date) {
            return Map.of("__type", "Date", "iso", iso(date));
        }
        if (value instanceof Document nested) {
            ObjectNode object = JSON.createObjectNode();
            nested.forEach((key, inner) -> object.set(key, JSON.valueToTree(value(inner))));
            return object;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = JSON.createArrayNode();
            list.forEach(element -> array.add(JSON.valueToTree(value(element))));
            return array;
        }
        return value;
    }

    private static String iso(Date date) {
        return DateTimeFormatter.ISO_INSTANT.format(date.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }
}
