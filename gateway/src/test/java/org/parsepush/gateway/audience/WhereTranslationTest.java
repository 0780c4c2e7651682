package org.parsepush.gateway.audience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.parsepush.gateway.TestMongo;

/**
 * The where-translation table: each Parse query runs against installations stored as Parse
 * stores them, in mongo-java-server through the real driver, and must match exactly the
 * expected objectIds.
 */
class WhereTranslationTest {

    static TestMongo mongo;
    static Audience audience;

    @BeforeAll
    static void seed() {
        mongo = TestMongo.start();
        MongoDatabase db = mongo.database("app");
        db.getCollection("_SCHEMA").insertOne(new Document("_id", "_Installation")
                .append("deviceType", "string").append("user", "*_User").append("channels", "array"));
        db.getCollection("_User").insertMany(List.of(
                new Document("_id", "u1").append("vip", true),
                new Document("_id", "u2").append("vip", false),
                new Document("_id", "u3").append("vip", true)));
        db.getCollection("_Installation").insertMany(List.of(
                installation("i1", "ios", "aaaa", List.of("news", "sports"), 1, "2026-01-01T00:00:00Z")
                        .append("_p_user", "_User$u1").append("appVersion", "2.1").append("localeIdentifier", "fr-FR"),
                installation("i2", "ios", "bbbb", List.of("news"), 5, "2026-02-01T00:00:00Z")
                        .append("_p_user", "_User$u2").append("appVersion", "1.9"),
                installation("i3", "android", "cccc", List.of("sports"), 0, "2026-03-01T00:00:00Z")
                        .append("_p_user", "_User$u3").append("appVersion", "2.0"),
                installation("i4", "android", "dddd", List.of(""), 7, "2026-04-01T00:00:00Z"),
                installation("i5", "embedded", null, List.of("news"), null, "2026-05-01T00:00:00Z"),
                installation("i6", "osx", "ffff", List.of(), 2, "2026-06-01T00:00:00Z")
                        .append("_p_user", "_User$u1").append("appVersion", "2.5-BETA")));
        audience = new Audience(db, 2, 1000);
    }

    private static Document installation(String id, String type, String token, List<String> channels, Integer badge,
                                         String created) {
        Document doc = new Document("_id", id).append("deviceType", type).append("channels", channels)
                .append("_created_at", Date.from(Instant.parse(created)))
                .append("_updated_at", Date.from(Instant.parse(created)));
        if (token != null) {
            doc.append("deviceToken", token);
        }
        if (badge != null) {
            doc.append("badge", badge);
        }
        return doc;
    }

    @AfterAll
    static void stop() {
        mongo.close();
    }

    private static Set<String> matches(String where) {
        ResolvedAudience resolved = audience.resolve(new Target.Where(Audience.parse(where, "where")));
        Set<String> ids = new TreeSet<>();
        List<String> inOrder = new ArrayList<>();
        try (AudienceCursor cursor = audience.open(resolved, null)) {
            cursor.forEachRemaining(installation -> {
                ids.add(installation.objectId());
                inOrder.add(installation.objectId());
            });
        }
        assertEquals(new ArrayList<>(ids), inOrder, "the cursor must stream in _id order");
        return ids;
    }

    static Stream<Arguments> supported() {
        String ptr1 = "{\"__type\":\"Pointer\",\"className\":\"_User\",\"objectId\":\"u1\"}";
        String ptr2 = "{\"__type\":\"Pointer\",\"className\":\"_User\",\"objectId\":\"u2\"}";
        return Stream.of(
                Arguments.of("{}", "i1 i2 i3 i4 i5 i6"),
                Arguments.of("{\"deviceType\":\"ios\"}", "i1 i2"),
                Arguments.of("{\"channels\":\"news\"}", "i1 i2 i5"),
                Arguments.of("{\"channels\":\"\"}", "i4"),
                Arguments.of("{\"channels\":{\"$in\":[\"sports\",\"nothing\"]}}", "i1 i3"),
                Arguments.of("{\"channels\":{\"$in\":[]}}", ""),
                Arguments.of("{\"channels\":{\"$nin\":[\"news\"]}}", "i3 i4 i6"),
                Arguments.of("{\"channels\":{\"$all\":[\"news\",\"sports\"]}}", "i1"),
                Arguments.of("{\"deviceToken\":{\"$exists\":false}}", "i5"),
                Arguments.of("{\"deviceToken\":{\"$exists\":true},\"deviceType\":\"android\"}", "i3 i4"),
                Arguments.of("{\"deviceType\":{\"$ne\":\"ios\"}}", "i3 i4 i5 i6"),
                Arguments.of("{\"localeIdentifier\":{\"$eq\":\"fr-FR\"}}", "i1"),
                Arguments.of("{\"badge\":{\"$gt\":1,\"$lte\":5}}", "i2 i6"),
                Arguments.of("{\"badge\":{\"$lt\":1}}", "i3"),
                Arguments.of("{\"badge\":{\"$gte\":7}}", "i4"),
                Arguments.of("{\"createdAt\":{\"$gte\":{\"__type\":\"Date\",\"iso\":\"2026-03-01T00:00:00.000Z\"}}}",
                        "i3 i4 i5 i6"),
                Arguments.of("{\"updatedAt\":{\"$lt\":{\"__type\":\"Date\",\"iso\":\"2026-02-15T00:00:00Z\"}}}", "i1 i2"),
                Arguments.of("{\"appVersion\":{\"$regex\":\"^2\\\\.\"}}", "i1 i3 i6"),
                Arguments.of("{\"appVersion\":{\"$regex\":\"beta$\",\"$options\":\"i\"}}", "i6"),
                Arguments.of("{\"objectId\":{\"$in\":[\"i2\",\"i5\",\"zz\"]}}", "i2 i5"),
                Arguments.of("{\"objectId\":\"i3\"}", "i3"),
                Arguments.of("{\"$or\":[{\"deviceType\":\"embedded\"},{\"badge\":{\"$gte\":5}}]}", "i2 i4 i5"),
                Arguments.of("{\"$and\":[{\"channels\":\"news\"},{\"deviceType\":\"ios\"}]}", "i1 i2"),
                Arguments.of("{\"$nor\":[{\"deviceType\":\"ios\"},{\"deviceType\":\"android\"}]}", "i5 i6"),
                Arguments.of("{\"$or\":[{\"$and\":[{\"deviceType\":\"ios\"},{\"badge\":1}]},{\"objectId\":\"i6\"}]}",
                        "i1 i6"),
                Arguments.of("{\"user\":" + ptr1 + "}", "i1 i6"),
                Arguments.of("{\"user\":{\"$in\":[" + ptr1 + "," + ptr2 + "]}}", "i1 i2 i6"),
                Arguments.of("{\"user\":{\"$nin\":[" + ptr1 + "]}}", "i2 i3 i4 i5"),
                Arguments.of("{\"user\":{\"$ne\":" + ptr1 + "}}", "i2 i3 i4 i5"),
                Arguments.of("{\"user\":{\"$exists\":true}}", "i1 i2 i3 i6"),
                Arguments.of("{\"user\":{\"$inQuery\":{\"className\":\"_User\",\"where\":{\"vip\":true}}}}", "i1 i3 i6"),
                Arguments.of("{\"user\":{\"$notInQuery\":{\"className\":\"_User\",\"where\":{\"vip\":true}}}}",
                        "i2 i4 i5"),
                Arguments.of("{\"user\":{\"$inQuery\":{\"className\":\"_User\",\"where\":{\"objectId\":\"u2\"}}},"
                        + "\"deviceType\":\"ios\"}", "i2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("supported")
    void eachSupportedQueryMatchesExactlyTheExpectedInstallations(String where, String expected) {
        Set<String> want = expected.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(expected.split(" ")));
        assertEquals(want, matches(where));
    }

    static Stream<Arguments> rejected() {
        String deep = "{\"a\":1}";
        for (int i = 0; i < WhereTranslator.MAX_DEPTH + 1; i++) {
            deep = "{\"$or\":[" + deep + "]}";
        }
        return Stream.of(
                Arguments.of("{\"$where\":\"sleep(1000)\"}", "unsupported query operator '$where'"),
                Arguments.of("{\"deviceType\":{\"$where\":\"1\"}}", "unsupported operator '$where' on key 'deviceType'"),
                Arguments.of("{\"deviceType\":{\"$expr\":{}}}", "unsupported operator '$expr' on key 'deviceType'"),
                Arguments.of("{\"location\":{\"$nearSphere\":{\"__type\":\"GeoPoint\"}}}",
                        "unsupported operator '$nearSphere' on key 'location'"),
                Arguments.of("{\"deviceType\":", "not valid JSON"),
                Arguments.of("[1,2]", "must be a JSON object"),
                Arguments.of(deep, "nests more than " + WhereTranslator.MAX_DEPTH + " levels deep"),
                Arguments.of("{\"_rperm\":\"*\"}", "invalid key name '_rperm'"),
                Arguments.of("{\"badge\":{\"$exists\":\"yes\"}}", "'badge': $exists needs true or false"),
                Arguments.of("{\"appVersion\":{\"$regex\":\"x\",\"$options\":\"g\"}}", "'appVersion': $options"),
                Arguments.of("{\"channels\":{\"$in\":\"news\"}}", "'channels': $in needs an array"),
                Arguments.of("{\"data\":{\"__type\":\"Bytes\",\"base64\":\"AA==\"}}",
                        "'data': values of type Bytes are not supported"),
                Arguments.of("{\"badge\":{\"$gt\":1,\"other\":2}}", "'badge' mixes operators and plain keys"),
                Arguments.of("{\"$or\":[]}", "$or needs a non-empty array"),
                Arguments.of("{\"createdAt\":{\"$gt\":{\"__type\":\"Date\",\"iso\":\"yesterday\"}}}",
                        "'createdAt': 'yesterday' is not an ISO-8601 date"),
                Arguments.of("{\"user\":{\"$inQuery\":{\"className\":\"_User\",\"where\":{\"$where\":\"1\"}}}}",
                        "unsupported query operator '$where'"),
                Arguments.of("{\"user\":{\"$inQuery\":{\"where\":{}}}}", "'user': $inQuery needs"),
                Arguments.of("{\"user\":{\"$select\":{\"query\":{},\"key\":\"x\"}}}",
                        "unsupported operator '$select' on key 'user'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void eachUnsupportedShapeIsRejectedNamingTheKey(String where, String message) {
        InvalidQueryException e = assertThrows(InvalidQueryException.class,
                () -> audience.resolve(new Target.Where(Audience.parse(where, "where"))));
        assertTrue(e.getMessage().contains(message), "expected «" + message + "» in «" + e.getMessage() + "»");
    }

    @Test
    void aSavedAudienceIsResolvedAndMarkedUsed() {
        MongoDatabase db = mongo.database("app");
        db.getCollection("_Audience").insertOne(new Document("_id", "aud1").append("name", "iOS news")
                .append("query", "{\"deviceType\":\"ios\",\"channels\":\"news\"}").append("times_used", 2));
        ResolvedAudience resolved = audience.resolve(new Target.SavedAudience("aud1"));
        List<String> ids = new ArrayList<>();
        try (AudienceCursor cursor = audience.open(resolved, null)) {
            cursor.forEachRemaining(installation -> ids.add(installation.objectId()));
        }
        assertEquals(List.of("i1", "i2"), ids);
        Document saved = db.getCollection("_Audience").find(new Document("_id", "aud1")).first();
        assertEquals(3, saved.getInteger("times_used"));
        assertTrue(saved.get("_last_used") instanceof Date);
    }

    @Test
    void anUnknownSavedAudienceIsRejected() {
        InvalidQueryException e = assertThrows(InvalidQueryException.class,
                () -> audience.resolve(new Target.SavedAudience("nope")));
        assertTrue(e.getMessage().contains("no _Audience with objectId 'nope'"), e.getMessage());
    }

    @Test
    void aResumedCursorStartsAfterTheCheckpoint() {
        ResolvedAudience all = audience.resolve(new Target.Where(Audience.parse("{}", "where")));
        List<String> ids = new ArrayList<>();
        try (AudienceCursor cursor = audience.open(all, "i3")) {
            cursor.forEachRemaining(installation -> ids.add(installation.objectId()));
        }
        assertEquals(List.of("i4", "i5", "i6"), ids);
    }
}
