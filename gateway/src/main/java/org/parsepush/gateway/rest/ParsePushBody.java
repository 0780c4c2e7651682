package org.parsepush.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import org.parsepush.gateway.audience.Target;
import org.parsepush.gateway.push.Priority;
import org.parsepush.gateway.push.PushRequest;

/**
 * The body of Parse's {@code POST /parse/push} as a domain request, with Parse Server's own
 * checks and error codes: {@code channels} or {@code where} (not both),
 * {@code push_time}, {@code expiration_time} or {@code expiration_interval} (not both).
 */
final class ParsePushBody {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A time with a zone; without one, Parse treats {@code push_time} as local to each device. */
    private static final Pattern HAS_ZONE = Pattern.compile(".*(Z|[+-]\\d\\d(:?\\d\\d)?)$");

    private ParsePushBody() {
    }

    static PushRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ParseError.badRequest(ParseError.INVALID_JSON, "invalid JSON");
        }
        Target target = target(body);
        JsonNode data = body.get("data");
        if (data == null || !data.isObject()) {
            throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED, "Sending a push requires a \"data\" object.");
        }
        Instant pushTime = null;
        LocalDateTime localTime = null;
        JsonNode pushTimeNode = body.get("push_time");
        if (pushTimeNode != null && !pushTimeNode.isNull()) {
            if (pushTimeNode.isNumber()) {
                pushTime = Instant.ofEpochMilli((long) (pushTimeNode.asDouble() * 1000));
            } else if (pushTimeNode.isTextual() && !HAS_ZONE.matcher(pushTimeNode.textValue()).matches()) {
                localTime = parseLocal(pushTimeNode);
            } else {
                pushTime = parseInstant(pushTimeNode);
            }
        }
        JsonNode expirationTime = body.get("expiration_time");
        JsonNode expirationInterval = body.get("expiration_interval");
        if (present(expirationTime) && present(expirationInterval)) {
            throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED,
                    "Both expiration_time and expiration_interval cannot be set");
        }
        Instant expiration = null;
        if (present(expirationTime)) {
            expiration = expirationTime.isNumber()
                    ? Instant.ofEpochMilli((long) (expirationTime.asDouble() * 1000)) : parseInstant(expirationTime);
        }
        Duration interval = null;
        if (present(expirationInterval)) {
            if (!expirationInterval.isNumber() || expirationInterval.asDouble() <= 0) {
                throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED,
                        "expiration_interval must be a number greater than 0");
            }
            interval = Duration.ofMillis((long) (expirationInterval.asDouble() * 1000));
        }
        return new PushRequest(target, (ObjectNode) data, pushTime, localTime, expiration, interval, Priority.DEFAULT,
                null, null, null, "rest", false, 0);
    }

    private static Target target(JsonNode body) {
        boolean hasWhere = body.has("where");
        boolean hasChannels = body.has("channels");
        if (hasWhere && hasChannels) {
            throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED, "Channels and query can not be set at the same time.");
        }
        if (hasWhere) {
            JsonNode where = body.get("where");
            if (!where.isObject()) {
                throw ParseError.badRequest(ParseError.INVALID_QUERY, "where must be a JSON object");
            }
            return new Target.Where(where);
        }
        if (hasChannels) {
            JsonNode channels = body.get("channels");
            if (!channels.isArray()) {
                throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED, "channels must be an array of strings");
            }
            ObjectNode where = JSON.createObjectNode();
            ArrayNode in = where.putObject("channels").putArray("$in");
            channels.forEach(in::add);
            return new Target.Where(where);
        }
        throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED,
                "Sending a push requires either \"channels\" or a \"where\" query.");
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static Instant parseInstant(JsonNode value) {
        try {
            return OffsetDateTime.parse(value.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED, value.asText() + " is not valid time.");
        }
    }

    private static LocalDateTime parseLocal(JsonNode value) {
        try {
            return LocalDateTime.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw ParseError.badRequest(ParseError.PUSH_MISCONFIGURED, value.asText() + " is not valid time.");
        }
    }
}
