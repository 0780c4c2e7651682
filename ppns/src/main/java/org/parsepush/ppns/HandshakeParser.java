package org.parsepush.ppns;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a handshake the way devices in the field write it: any key order, spaces, unknown
 * keys. A field of the wrong type makes the whole handshake malformed rather than being
 * guessed at, so a device never connects with a cursor ({@code last}) the gateway misread.
 */
final class HandshakeParser {

    /** App ids and SDK versions: a handful of values across all devices. */
    private static final SharedStrings REPEATED = new SharedStrings(1024);

    private HandshakeParser() {
    }

    static Handshake parse(String line) throws MalformedHandshakeException {
        JsonNode json = readObject(line);
        return new Handshake(
                requiredText(json, "installation_id").toLowerCase(Locale.ROOT),
                REPEATED.share(requiredText(json, "oauth_key")),
                REPEATED.share(optionalText(json, "v")),
                optionalInstant(json, "last"),
                optionalTextList(json, "last_seen"),
                optionalInstant(json, "ignore_after"),
                optionalBoolean(json, "ack_keep_alive"));
    }

    private static JsonNode readObject(String line) throws MalformedHandshakeException {
        JsonNode json;
        try {
            json = PpnsJson.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new MalformedHandshakeException("not JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new MalformedHandshakeException("not a JSON object");
        }
        return json;
    }

    private static String requiredText(JsonNode json, String field) throws MalformedHandshakeException {
        String value = optionalText(json, field);
        if (value == null || value.isBlank()) {
            throw new MalformedHandshakeException(field + " is missing");
        }
        return value;
    }

    private static String optionalText(JsonNode json, String field) throws MalformedHandshakeException {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedHandshakeException(field + " is not a string");
        }
        return value.textValue();
    }

    private static Instant optionalInstant(JsonNode json, String field) throws MalformedHandshakeException {
        String text = optionalText(json, field);
        if (text == null) {
            return null;
        }
        try {
            return PushTime.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedHandshakeException(field + " is not an ISO-8601 time");
        }
    }

    private static List<String> optionalTextList(JsonNode json, String field) throws MalformedHandshakeException {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new MalformedHandshakeException(field + " is not an array");
        }
        List<String> items = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new MalformedHandshakeException(field + " holds a non-string");
            }
            items.add(item.textValue());
        }
        return items;
    }

    private static boolean optionalBoolean(JsonNode json, String field) throws MalformedHandshakeException {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new MalformedHandshakeException(field + " is not a boolean");
        }
        return value.booleanValue();
    }
}
