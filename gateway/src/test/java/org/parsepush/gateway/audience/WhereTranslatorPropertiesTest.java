package org.parsepush.gateway.audience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bson.Document;
import org.parsepush.gateway.push.ParseData;

/**
 * Arbitrary input to the query translator and the payload checks: it is translated, or
 * refused with the documented error, and never anything else (no other exception, no hang).
 * The translator runs without a database: schemas are empty and inner queries match nothing.
 */
class WhereTranslatorPropertiesTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final WhereTranslator TRANSLATOR = new WhereTranslator(className -> ClassSchema.empty(),
            (className, filter, key) -> List.of());
    private static final List<String> KEYS = List.of("deviceType", "channels", "badge", "user", "objectId", "createdAt",
            "$or", "$and", "$nor", "$where", "$in", "$nin", "$all", "$exists", "$ne", "$eq", "$gt", "$regex", "$options",
            "$inQuery", "$notInQuery", "$select", "__type", "className", "where", "iso", "_rperm", "a.b", "", "$");

    @Property(tries = 2000)
    void anyJsonTreeIsTranslatedOrRefusedWithInvalidQuery(@ForAll("trees") JsonNode where) {
        try {
            Document filter = TRANSLATOR.translate("_Installation", where);
            if (filter == null) {
                throw new AssertionError("no filter for " + where);
            }
        } catch (InvalidQueryException refused) {
            // The documented answer to a query the gateway will not run.
        }
    }

    @Property(tries = 2000)
    void anyTextIsParsedOrRefusedWithInvalidQuery(@ForAll String text) {
        try {
            TRANSLATOR.translate("_Installation", Audience.parse(text, "where"));
        } catch (InvalidQueryException refused) {
            // Malformed JSON and unsupported shapes alike.
        }
    }

    @Property(tries = 2000)
    void anyDataObjectIsAcceptedOrRefusedWithIllegalArgument(@ForAll("trees") JsonNode data) {
        try {
            ParseData.validate(data);
            ParseData.pushHash(data);
        } catch (IllegalArgumentException refused) {
            // The documented answer to a payload that can never be sent.
        }
    }

    @Provide
    Arbitrary<JsonNode> trees() {
        return node(4);
    }

    private Arbitrary<JsonNode> node(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(JSON::textNode),
                Arbitraries.of(KEYS).map(JSON::textNode),
                Arbitraries.integers().map(JSON::numberNode),
                Arbitraries.doubles().map(JSON::numberNode),
                Arbitraries.of(true, false).map(JSON::booleanNode),
                Arbitraries.just(JSON.nullNode()));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> object = Arbitraries.of(KEYS).list().ofMaxSize(4).flatMap(keys ->
                node(depth - 1).list().ofSize(keys.size()).map(values -> {
                    ObjectNode built = JSON.objectNode();
                    for (int i = 0; i < keys.size(); i++) {
                        built.set(keys.get(i), values.get(i));
                    }
                    return (JsonNode) built;
                }));
        Arbitrary<JsonNode> array = node(depth - 1).list().ofMaxSize(4).map(values -> {
            ArrayNode built = JSON.arrayNode();
            values.forEach(built::add);
            return (JsonNode) built;
        });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, leaf), net.jqwik.api.Tuple.of(5, object), net.jqwik.api.Tuple.of(1, array));
    }
}
