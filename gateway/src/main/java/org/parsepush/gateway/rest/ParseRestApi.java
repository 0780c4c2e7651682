package org.parsepush.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.MongoException;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.bson.Document;
import org.parsepush.gateway.api.AppKeys;
import org.parsepush.gateway.api.Caller;
import org.parsepush.gateway.api.Operation;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.app.ParseApps;
import org.parsepush.gateway.audience.InvalidQueryException;
import org.parsepush.gateway.config.RestSettings;
import org.parsepush.gateway.http.HttpListener;
import org.parsepush.gateway.job.OverloadedException;
import org.parsepush.gateway.job.PushEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parse's REST push API, so backend code that called Parse's {@code POST /parse/push} can
 * point at the gateway unchanged: the same bodies, headers, answers and error codes as Parse
 * Server, and {@code GET /parse/classes/_PushStatus/<id>} to read a push back. A push
 * accepted here is a gateway job like any {@code SendPush}. Everything needs the master key,
 * except that an app with client push on lets its client key push to channels.
 */
public final class ParseRestApi {

    private static final Logger log = LoggerFactory.getLogger(ParseRestApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final RestSettings settings;
    private final AppKeys keys;
    private final ParseApps apps;
    private final PushEngine engine;
    private HttpListener server;

    public ParseRestApi(RestSettings settings, AppKeys keys, ParseApps apps, PushEngine engine) {
        this.settings = settings;
        this.keys = keys;
        this.apps = apps;
        this.engine = engine;
    }

    public void start() throws IOException {
        var listener = settings.listener();
        server = HttpListener.bind(listener, "rest.port", 8, "parse-rest").route(settings.path() + "/", this::handle);
        server.start();
        log.info("Parse REST push API listening on {}:{}{}/push", listener.host(), port(), settings.path());
    }

    public int port() {
        return server.port();
    }

    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            ObjectNode answer = route(exchange);
            respond(exchange, 200, answer);
        } catch (ParseError e) {
            ObjectNode error = JSON.createObjectNode();
            if (e.code() != null) {
                error.put("code", e.code());
            }
            error.put("error", e.getMessage());
            respond(exchange, e.httpStatus(), error);
        }
    }

    private ObjectNode route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring(settings.path().length());
        String method = exchange.getRequestMethod();
        Caller caller = authenticate(exchange);
        ParseApp app = apps.get(caller.app().appId());
        if (path.equals("/push") && method.equals("POST")) {
            return push(exchange, app, caller);
        }
        String statusPrefix = "/classes/_PushStatus/";
        if (path.startsWith(statusPrefix) && method.equals("GET")) {
            if (!caller.may(Operation.READ)) {
                throw new ParseError(403, null, "Permission denied");
            }
            return pushStatus(app, path.substring(statusPrefix.length()));
        }
        throw new ParseError(404, ParseError.INVALID_JSON, "unknown route: " + method + " " + settings.path() + path);
    }

    /**
     * Parse Server 9's answers: an unknown application id is a bare 403 "unauthorized"; push
     * without the master key is a 403 "Permission denied" (its sanitized error, no code).
     * Apps with {@code clientPush} also take their client key, for pushes to channels.
     */
    private Caller authenticate(HttpExchange exchange) {
        var headers = exchange.getRequestHeaders();
        String appId = headers.getFirst("X-Parse-Application-Id");
        if (!keys.knows(appId)) {
            throw new ParseError(403, null, "unauthorized");
        }
        String masterKey = headers.getFirst("X-Parse-Master-Key");
        Optional<Caller> caller = masterKey != null ? keys.master(appId, masterKey)
                : keys.client(appId, headers.getFirst("X-Parse-Client-Key"));
        return caller.orElseThrow(() -> new ParseError(403, null, "Permission denied"));
    }

    private ObjectNode push(HttpExchange exchange, ParseApp app, Caller caller) throws IOException {
        JsonNode body = readBody(exchange);
        if (!caller.may(Operation.SEND_WHERE) && body != null && body.has("where")) {
            // What Parse's hosted service answered to a client push with a query.
            throw new ParseError(403, ParseError.OPERATION_FORBIDDEN,
                    "Clients may only push to channels; a push with a where query needs the master key.");
        }
        try {
            PushEngine.Accepted accepted = engine.accept(app, ParsePushBody.parse(body));
            exchange.getResponseHeaders().set("X-Parse-Push-Status-Id", accepted.pushId());
            exchange.getResponseHeaders().set("Access-Control-Expose-Headers", "X-Parse-Push-Status-Id");
            return JSON.createObjectNode().put("result", true);
        } catch (InvalidQueryException e) {
            throw ParseError.badRequest(ParseError.INVALID_QUERY, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED, e.getMessage());
        } catch (OverloadedException e) {
            long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
            exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
            throw new ParseError(429, ParseError.REQUEST_LIMIT_EXCEEDED, e.getMessage());
        } catch (MongoException e) {
            log.warn("database unavailable for a REST push: {}", e.toString());
            throw new ParseError(500, ParseError.INTERNAL_SERVER_ERROR,
                    "The database is unavailable; the push was not accepted. Retry later.");
        }
    }

    private ObjectNode pushStatus(ParseApp app, String objectId) {
        Document status = app.statuses().find(objectId)
                .orElseThrow(() -> new ParseError(404, ParseError.OBJECT_NOT_FOUND, "Object not found."));
        return ParseObjects.toRest(status);
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new ParseError(413, ParseError.INVALID_JSON, "the request body is over " + MAX_BODY_BYTES + " bytes");
            }
            return JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ParseError.badRequest(ParseError.INVALID_JSON, "invalid JSON");
        }
    }

    private static void respond(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        HttpListener.respond(exchange, status, "application/json; charset=utf-8",
                body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
