package org.parsepush.gateway.audience;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.bson.Document;
import org.parsepush.gateway.store.ParseNames;

/**
 * Translates a Parse REST {@code where} query into a MongoDB filter over the collection as
 * Parse Server stores it: {@code objectId}/{@code createdAt}/{@code updatedAt} become
 * {@code _id}/{@code _created_at}/{@code _updated_at}, pointers become
 * {@code _p_<field>: "<Class>$<id>"}, Parse dates become BSON dates.
 *
 * <p>Only the operators below ever reach MongoDB; anything else (including {@code $where}
 * and other server-side evaluation) is refused with an {@link InvalidQueryException}
 * naming the key, before anything is sent.
 */
public final class WhereTranslator {

    /** How deeply {@code $or}/{@code $and}/{@code $nor}/{@code $inQuery} may nest. */
    public static final int MAX_DEPTH = 8;

    private static final Set<String> LOGICAL = Set.of("$or", "$and", "$nor");
    private static final Set<String> COMPARISONS = Set.of("$lt", "$lte", "$gt", "$gte", "$ne", "$eq");
    private static final Set<String> LISTS = Set.of("$in", "$nin", "$all");
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*");
    private static final Pattern REGEX_OPTIONS = Pattern.compile("[imxs]*");
    private static final Map<String, String> RENAMED = Map.of(
            "objectId", ParseNames.ID, "createdAt", ParseNames.CREATED_AT, "updatedAt", ParseNames.UPDATED_AT);

    /** Runs an inner query of {@code $inQuery}/{@code $notInQuery} and returns matching objectIds. */
    @FunctionalInterface
    public interface Subqueries {
        List<String> objectIds(String className, Document filter, String key);
    }

    private final Function<String, ClassSchema> schemas;
    private final Subqueries subqueries;

    WhereTranslator(Function<String, ClassSchema> schemas, Subqueries subqueries) {
        this.schemas = schemas;
        this.subqueries = subqueries;
    }

    /** The MongoDB filter for {@code where} on {@code className}. */
    public Document translate(String className, JsonNode where) {
        return translateQuery(className, schemas.apply(className), where, "where", 1);
    }

    private Document translateQuery(String className, ClassSchema schema, JsonNode where, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InvalidQueryException(path + ": the query nests more than " + MAX_DEPTH + " levels deep");
        }
        if (where == null || !where.isObject()) {
            throw new InvalidQueryException(path + " must be a JSON object");
        }
        Document filter = new Document();
        for (Iterator<Map.Entry<String, JsonNode>> fields = where.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            if (LOGICAL.contains(key)) {
                filter.put(key, translateLogical(className, schema, field.getValue(), key, depth));
            } else if (key.startsWith("$")) {
                throw new InvalidQueryException("unsupported query operator '" + key + "' at " + path);
            } else {
                translateField(className, schema, key, field.getValue(), depth, filter);
            }
        }
        return filter;
    }

    private List<Document> translateLogical(String className, ClassSchema schema, JsonNode clauses, String key,
                                            int depth) {
        if (!clauses.isArray() || clauses.isEmpty()) {
            throw new InvalidQueryException(key + " needs a non-empty array of queries");
        }
        List<Document> translated = new ArrayList<>(clauses.size());
        for (int i = 0; i < clauses.size(); i++) {
            translated.add(translateQuery(className, schema, clauses.get(i), key + "[" + i + "]", depth + 1));
        }
        return translated;
    }

    private void translateField(String className, ClassSchema schema, String key, JsonNode value, int depth,
                                Document filter) {
        if (!FIELD_NAME.matcher(key).matches()) {
            throw new InvalidQueryException("invalid key name '" + key + "'");
        }
        boolean pointer = schema.pointerTarget(key).isPresent() || containsPointer(value)
                || value.has("$inQuery") || value.has("$notInQuery");
        String column = pointer ? ParseNames.POINTER_PREFIX + key : RENAMED.getOrDefault(key, key);
        Object condition;
        if (value.isObject() && isOperatorObject(value, key)) {
            condition = translateConstraints(key, value, depth);
        } else {
            condition = atom(key, value);
        }
        Object previous = filter.put(column, condition);
        if (previous != null) {
            throw new InvalidQueryException("key '" + key + "' appears twice");
        }
    }

    private static boolean isOperatorObject(JsonNode value, String key) {
        int operators = 0;
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            if (names.next().startsWith("$")) {
                operators++;
            }
        }
        if (operators > 0 && operators != value.size()) {
            throw new InvalidQueryException("'" + key + "' mixes operators and plain keys");
        }
        return operators > 0;
    }

    private Document translateConstraints(String key, JsonNode constraints, int depth) {
        Document out = new Document();
        for (Iterator<Map.Entry<String, JsonNode>> ops = constraints.fields(); ops.hasNext(); ) {
            Map.Entry<String, JsonNode> op = ops.next();
            String operator = op.getKey();
            JsonNode operand = op.getValue();
            if (COMPARISONS.contains(operator)) {
                out.put(operator, atom(key, operand));
            } else if (LISTS.contains(operator)) {
                out.put(operator, atoms(key, operator, operand));
            } else if (operator.equals("$exists")) {
                if (!operand.isBoolean()) {
                    throw new InvalidQueryException("'" + key + "': $exists needs true or false");
                }
                out.put(operator, operand.booleanValue());
            } else if (operator.equals("$regex")) {
                if (!operand.isTextual()) {
                    throw new InvalidQueryException("'" + key + "': $regex needs a string");
                }
                out.put(operator, operand.textValue());
            } else if (operator.equals("$options")) {
                if (!constraints.has("$regex") || !operand.isTextual()
                        || !REGEX_OPTIONS.matcher(operand.textValue()).matches()) {
                    throw new InvalidQueryException("'" + key + "': $options needs $regex and only the flags i, m, x, s");
                }
                out.put(operator, operand.textValue());
            } else if (operator.equals("$inQuery") || operator.equals("$notInQuery")) {
                List<String> pointers = subqueryPointers(key, operator, operand, depth);
                out.put(operator.equals("$inQuery") ? "$in" : "$nin", pointers);
            } else {
                throw new InvalidQueryException("unsupported operator '" + operator + "' on key '" + key + "'");
            }
        }
        return out;
    }

    private List<String> subqueryPointers(String key, String operator, JsonNode operand, int depth) {
        JsonNode className = operand.get("className");
        JsonNode where = operand.get("where");
        if (!operand.isObject() || className == null || !className.isTextual() || where == null) {
            throw new InvalidQueryException("'" + key + "': " + operator + " needs {\"className\": ..., \"where\": {...}}");
        }
        String innerClass = className.textValue();
        if (!FIELD_NAME.matcher(innerClass.replace("_", "A")).matches()) {
            throw new InvalidQueryException("'" + key + "': invalid className '" + innerClass + "'");
        }
        Document innerFilter = translateQuery(innerClass, schemas.apply(innerClass), where,
                key + "." + operator + ".where", depth + 1);
        List<String> ids = subqueries.objectIds(innerClass, innerFilter, key);
        List<String> pointers = new ArrayList<>(ids.size());
        for (String id : ids) {
            pointers.add(innerClass + "$" + id);
        }
        return pointers;
    }

    private List<Object> atoms(String key, String operator, JsonNode values) {
        if (!values.isArray()) {
            throw new InvalidQueryException("'" + key + "': " + operator + " needs an array");
        }
        List<Object> out = new ArrayList<>(values.size());
        for (JsonNode value : values) {
            out.add(atom(key, value));
        }
        return out;
    }

    /** A value as stored: Parse dates to BSON dates, pointers to "Class$id", JSON to BSON. */
    private Object atom(String key, JsonNode value) {
        if (value.isObject() && value.has("__type")) {
            String type = value.path("__type").asText();
            return switch (type) {
                case "Date" -> date(key, value.path("iso"));
                case "Pointer" -> pointer(key, value);
                default -> throw new InvalidQueryException("'" + key + "': values of type " + type
                        + " are not supported in push queries");
            };
        }
        if (value.isObject()) {
            Document embedded = new Document();
            value.fields().forEachRemaining(entry -> {
                if (entry.getKey().startsWith("$")) {
                    throw new InvalidQueryException("'" + key + "': operator '" + entry.getKey() + "' is not allowed here");
                }
                embedded.put(entry.getKey(), atom(key, entry.getValue()));
            });
            return embedded;
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>(value.size());
            value.forEach(element -> list.add(atom(key, element)));
            return list;
        }
        return scalar(value);
    }

    private static Object scalar(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isInt()) {
            return value.intValue();
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        return value.doubleValue();
    }

    private static Date date(String key, JsonNode iso) {
        if (!iso.isTextual()) {
            throw new InvalidQueryException("'" + key + "': a Date needs an \"iso\" string");
        }
        try {
            return Date.from(Instant.parse(iso.textValue()));
        } catch (DateTimeParseException e) {
            try {
                return Date.from(OffsetDateTime.parse(iso.textValue()).toInstant());
            } catch (DateTimeParseException again) {
                throw new InvalidQueryException("'" + key + "': '" + iso.textValue() + "' is not an ISO-8601 date");
            }
        }
    }

    private static String pointer(String key, JsonNode value) {
        JsonNode className = value.get("className");
        JsonNode objectId = value.get("objectId");
        if (className == null || !className.isTextual() || objectId == null || !objectId.isTextual()) {
            throw new InvalidQueryException("'" + key + "': a Pointer needs className and objectId strings");
        }
        return className.textValue() + "$" + objectId.textValue();
    }

    private static boolean containsPointer(JsonNode value) {
        if (value.isObject()) {
            if ("Pointer".equals(value.path("__type").asText(null))) {
                return true;
            }
            for (JsonNode child : value) {
                if (child.isArray() || child.isObject() && "Pointer".equals(child.path("__type").asText(null))) {
                    if (containsPointer(child)) {
                        return true;
                    }
                }
            }
        }
        if (value.isArray()) {
            for (JsonNode element : value) {
                if (element.isObject() && "Pointer".equals(element.path("__type").asText(null))) {
                    return true;
                }
            }
        }
        return false;
    }
}
