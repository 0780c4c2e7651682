package org.parsepush.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.TestGateway;
import org.parsepush.proto.v1.PushState;

/** Parse's REST push API on the gateway, over real HTTP. */
class ParseRestApiTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = TestGateway.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
    }

    static HttpResponse<String> call(String method, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.gateway().restPort() + "/parse" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> push(String body) throws Exception {
        return call("POST", "/push", body, Map.of("X-Parse-Application-Id", TestGateway.APP_ID,
                "X-Parse-Master-Key", TestGateway.MASTER_KEY, "Content-Type", "application/json"));
    }

    static void assertParseError(HttpResponse<String> response, int status, Integer code, String message) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        if (code == null) {
            assertTrue(body.path("code").isMissingNode(), response.body());
        } else {
            assertEquals(code.intValue(), body.path("code").asInt(), response.body());
        }
        assertTrue(body.path("error").asText().contains(message), response.body());
    }

    @Test
    void aPushIsAcceptedLikeParseServerAcceptsItAndCanBeReadBack() throws Exception {
        HttpResponse<String> response = push("{\"channels\":[\"news\"],\"data\":{\"alert\":\"hi\"}}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"result\":true}", response.body());
        String pushId = response.headers().firstValue("X-Parse-Push-Status-Id").orElseThrow();
        assertEquals(PushState.PUSH_STATE_SUCCEEDED, gateway.awaitFinished(pushId, Duration.ofSeconds(20)).getState());

        HttpResponse<String> status = call("GET", "/classes/_PushStatus/" + pushId, null, Map.of(
                "X-Parse-Application-Id", TestGateway.APP_ID, "X-Parse-Master-Key", TestGateway.MASTER_KEY));
        assertEquals(200, status.statusCode(), status.body());
        JsonNode object = JSON.readTree(status.body());
        assertEquals(pushId, object.path("objectId").asText());
        assertEquals("succeeded", object.path("status").asText());
        assertEquals("{\"channels\":{\"$in\":[\"news\"]}}", object.path("query").asText());
        assertEquals("{\"alert\":\"hi\"}", object.path("payload").asText());
        assertTrue(object.path("createdAt").asText().endsWith("Z"));
        assertTrue(object.has("ACL"));
    }

    @Test
    void invalidBodiesGetParsesErrorCodes() throws Exception {
        assertParseError(push("{\"channels\":[\"a\"],\"where\":{},\"data\":{\"alert\":\"x\"}}"), 400, 115,
                "Channels and query can not be set at the same time.");
        assertParseError(push("{\"data\":{\"alert\":\"x\"}}"), 400, 115, "requires either \"channels\" or a \"where\"");
        assertParseError(push("{\"where\":{},\"data\":{\"alert\":\"x\"},\"expiration_time\":\"2030-01-01T00:00:00Z\","
                + "\"expiration_interval\":60}"), 400, 115, "Both expiration_time and expiration_interval cannot be set");
        assertParseError(push("{\"where\":{},\"data\":{\"alert\":\"x\"},\"expiration_interval\":-5}"), 400, 115,
                "expiration_interval must be a number greater than 0");
        assertParseError(push("{\"where\":{\"$where\":\"1\"},\"data\":{\"alert\":\"x\"}}"), 400, 102, "'$where'");
        assertParseError(push("{not json"), 400, 107, "invalid JSON");
    }

    @Test
    void keysAreCheckedLikeParseServerChecksThem() throws Exception {
        String body = "{\"channels\":[\"a\"],\"data\":{\"alert\":\"x\"}}";
        assertParseError(call("POST", "/push", body, Map.of("X-Parse-Application-Id", TestGateway.APP_ID)),
                403, null, "Permission denied");
        assertParseError(call("POST", "/push", body, Map.of("X-Parse-Application-Id", TestGateway.APP_ID,
                "X-Parse-Master-Key", "wrong")), 403, null, "Permission denied");
        assertParseError(call("POST", "/push", body, Map.of("X-Parse-Application-Id", "other")), 403, null,
                "unauthorized");
        assertParseError(call("POST", "/push", body, Map.of()), 403, null, "unauthorized");
        // Without clientPush (the default) a client key is no better than no key, as on Parse Server.
        assertParseError(call("POST", "/push", body, Map.of("X-Parse-Application-Id", TestGateway.APP_ID,
                "X-Parse-Client-Key", "any-client-key")), 403, null, "Permission denied");
    }

    @Test
    void anUnknownPushStatusIsParsesObjectNotFound() throws Exception {
        assertParseError(call("GET", "/classes/_PushStatus/nope", null, Map.of(
                "X-Parse-Application-Id", TestGateway.APP_ID, "X-Parse-Master-Key", TestGateway.MASTER_KEY)),
                404, 101, "Object not found.");
    }
}
