package org.parsepush.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.TestGateway;

/**
 * Parse's "client push" option on the REST API: with {@code clientPush: true} the app's
 * client key may push to channels, and gets Parse's error answers for anything else.
 */
class ClientPushTest {

    static final String CLIENT_KEY = "rest-client-key-6a2f";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestGateway gateway;
    static CapturedLogs logs;

    @BeforeAll
    static void start() throws Exception {
        logs = CapturedLogs.capture();
        gateway = TestGateway.startYaml(dir, TestGateway.yaml(dir, "", """
                    clientPush: true
                    clientKey: %s
                """.formatted(CLIENT_KEY)), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        logs.close();
    }

    static HttpResponse<String> call(String method, String path, String body, String clientKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.gateway().restPort() + "/parse" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("X-Parse-Application-Id", TestGateway.APP_ID)
                .header("X-Parse-Client-Key", clientKey)
                .header("Content-Type", "application/json");
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theClientKeyPushesToChannels() throws Exception {
        HttpResponse<String> response = call("POST", "/push", "{\"channels\":[\"news\"],\"data\":{\"alert\":\"hi\"}}",
                CLIENT_KEY);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("X-Parse-Push-Status-Id").isPresent());
    }

    @Test
    void aQueryFromTheClientKeyIsForbidden() throws Exception {
        HttpResponse<String> response = call("POST", "/push", "{\"where\":{\"deviceType\":\"ios\"},\"data\":{\"alert\":\"hi\"}}",
                CLIENT_KEY);
        assertEquals(403, response.statusCode(), response.body());
        JsonNode error = JSON.readTree(response.body());
        assertEquals(119, error.path("code").asInt(), response.body());
        assertTrue(error.path("error").asText().contains("only push to channels"), response.body());
    }

    @Test
    void theClientKeyCannotReadPushStatusAndAWrongClientKeyIsRefused() throws Exception {
        assertEquals(403, call("GET", "/classes/_PushStatus/abc", null, CLIENT_KEY).statusCode());
        HttpResponse<String> wrong = call("POST", "/push", "{\"channels\":[\"news\"],\"data\":{\"alert\":\"hi\"}}",
                "wrong-client-key");
        assertEquals(403, wrong.statusCode(), wrong.body());
        assertTrue(wrong.body().contains("Permission denied"), wrong.body());
        assertFalse(wrong.body().contains("wrong-client-key"));
    }

    @Test
    void theClientKeyNeverReachesTheLogs() throws Exception {
        theClientKeyPushesToChannels();
        assertTrue(logs.size() > 0);
        assertFalse(logs.text().contains(CLIENT_KEY));
    }
}
