package org.parsepush.gateway.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Parse push {@code data} object: its well-known keys, its checks, and Parse's
 * {@code pushHash}. Everything else in it is a custom key delivered unchanged.
 */
public final class ParseData {

    public static final String ALERT = "alert";
    public static final String TITLE = "title";
    public static final String BADGE = "badge";
    public static final String SOUND = "sound";
    public static final String CONTENT_AVAILABLE = "content-available";
    public static final String MUTABLE_CONTENT = "mutable-content";
    public static final String CATEGORY = "category";
    public static final String URI = "uri";
    public static final String THREAD_ID = "thread-id";
    /** The spelling Parse's own push adapter reads. */
    public static final String THREAD_ID_CAMEL = "threadId";

    static final ObjectMapper JSON = new ObjectMapper();

    private ParseData() {
    }

    /** Checks a {@code data} object as Parse Server would; the message names the key. */
    public static ObjectNode validate(JsonNode data) {
        if (data == null || !data.isObject()) {
            throw new IllegalArgumentException("data must be a JSON object");
        }
        JsonNode badge = data.get(BADGE);
        if (badge != null && !badge.isNull() && !badge.isIntegralNumber() && !isIncrement(badge)
                && !(badge.isTextual() && badge.textValue().matches("-?\\d{1,9}"))) {
            throw new IllegalArgumentException("data.badge must be a number or \"Increment\", got " + badge);
        }
        JsonNode alert = data.get(ALERT);
        if (alert != null && !alert.isNull() && !alert.isTextual() && !alert.isObject()) {
            throw new IllegalArgumentException("data.alert must be a string or an object");
        }
        return (ObjectNode) data;
    }

    /** Parses the JSON text of a {@code data} object and checks it. */
    public static ObjectNode parse(String json) {
        try {
            return validate(JSON.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("data_json is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** True for Parse's "Increment" badge value (any case). */
    public static boolean isIncrement(JsonNode badge) {
        return badge != null && badge.isTextual() && badge.textValue().equalsIgnoreCase("increment");
    }

    /** True when the value counts as set for Parse's 0/1 flags ({@code content-available}: 1). */
    public static boolean flag(JsonNode value) {
        return value != null && (value.isNumber() && value.intValue() == 1
                || value.isBoolean() && value.booleanValue()
                || value.isTextual() && value.textValue().equals("1"));
    }

    /** Parse's {@code pushHash}: MD5 of the alert string, or of the alert object's JSON, or of "". */
    public static String pushHash(JsonNode data) {
        JsonNode alert = data.get(ALERT);
        String hashed = alert == null || alert.isNull() ? "" : alert.isTextual() ? alert.textValue() : alert.toString();
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(hashed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    }
}
