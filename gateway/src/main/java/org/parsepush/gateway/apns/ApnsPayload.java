package org.parsepush.gateway.apns;

import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import org.parsepush.gateway.push.ParseData;
import org.parsepush.gateway.push.Priority;
import org.parsepush.gateway.push.PushMessage;

/**
 * Turns a Parse {@code data} object into an APNs payload the way Parse's own push adapter
 * does, so existing apps see the same notifications: the well-known keys go into
 * {@code aps}, every other key stays a custom top-level key.
 */
final class ApnsPayload {

    /** APNs refuses larger payloads. */
    static final int MAX_BYTES = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApnsPayload() {
    }

    /** The payload for {@code data}, without a per-device badge. */
    static ObjectNode build(ObjectNode data) {
        ObjectNode payload = JSON.createObjectNode();
        ObjectNode aps = payload.putObject("aps");
        JsonNode givenAps = data.get("aps");
        if (givenAps != null && givenAps.isObject()) {
            aps.setAll((ObjectNode) givenAps);
        }
        JsonNode alert = data.get(ParseData.ALERT);
        JsonNode title = data.get(ParseData.TITLE);
        if (alert != null && alert.isObject()) {
            ObjectNode alertObject = ((ObjectNode) alert).deepCopy();
            if (title != null && !alertObject.has("title")) {
                alertObject.set("title", title);
            }
            aps.set("alert", alertObject);
        } else if (title != null && !title.isNull()) {
            ObjectNode alertObject = aps.putObject("alert");
            alertObject.set("title", title);
            if (alert != null && !alert.isNull()) {
                alertObject.set("body", alert);
            }
        } else if (alert != null && !alert.isNull()) {
            aps.set("alert", alert);
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = data.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            switch (key) {
                case "aps", ParseData.ALERT, ParseData.TITLE -> { }
                case ParseData.BADGE -> {
                    if (value.isNumber()) {
                        aps.put("badge", value.intValue());
                    } else if (value.isTextual() && !ParseData.isIncrement(value)) {
                        aps.put("badge", Integer.parseInt(value.textValue()));
                    }
                }
                case ParseData.SOUND -> aps.set("sound", value);
                case ParseData.CONTENT_AVAILABLE -> {
                    if (ParseData.flag(value)) {
                        aps.put("content-available", 1);
                    }
                }
                case ParseData.MUTABLE_CONTENT -> {
                    if (ParseData.flag(value)) {
                        aps.put("mutable-content", 1);
                    }
                }
                case ParseData.CATEGORY -> aps.set("category", value);
                case ParseData.THREAD_ID, ParseData.THREAD_ID_CAMEL -> aps.set("thread-id", value);
                default -> payload.set(key, value);
            }
        }
        return payload;
    }

    /** The payload as sent, with a badge of its own when the push increments badges. */
    static String render(ObjectNode payload, Integer badge) {
        if (badge == null) {
            return payload.toString();
        }
        ObjectNode copy = payload.deepCopy();
        ((ObjectNode) copy.get("aps")).put("badge", badge);
        return copy.toString();
    }

    /** UTF-8 size of the largest payload this push can produce. */
    static int maxBytes(ObjectNode payload, boolean perDeviceBadge) {
        String widest = render(payload, perDeviceBadge ? Integer.MIN_VALUE : null);
        return widest.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The push type: asked for, else background for a content-available-only push, else alert. */
    static PushType pushType(PushMessage push, ObjectNode payload) {
        if (push.apnsPushType() != null) {
            PushType type = PushType.getFromHeaderValue(push.apnsPushType());
            if (type != null) {
                return type;
            }
        }
        return isBackgroundOnly(payload) ? PushType.BACKGROUND : PushType.ALERT;
    }

    /** 10 for visible notifications, 5 for background ones, unless the push says otherwise. */
    static DeliveryPriority priority(PushMessage push, PushType type) {
        if (push.priority() == Priority.HIGH) {
            return DeliveryPriority.IMMEDIATE;
        }
        if (push.priority() == Priority.NORMAL || type == PushType.BACKGROUND) {
            return DeliveryPriority.CONSERVE_POWER;
        }
        return DeliveryPriority.IMMEDIATE;
    }

    /** The topic APNs expects for a push type: some types use a suffixed topic. */
    static String topicFor(String bundleId, PushType type) {
        if (type == PushType.VOIP) {
            return bundleId + ".voip";
        }
        if (type == PushType.COMPLICATION) {
            return bundleId + ".complication";
        }
        if (type == PushType.FILEPROVIDER) {
            return bundleId + ".pushkit.fileprovider";
        }
        if (type == PushType.LIVE_ACTIVITY) {
            return bundleId + ".push-type.liveactivity";
        }
        if (type == PushType.LOCATION) {
            return bundleId + ".location-query";
        }
        if (type == PushType.PUSH_TO_TALK) {
            return bundleId + ".voip-ptt";
        }
        return bundleId;
    }

    private static boolean isBackgroundOnly(ObjectNode payload) {
        JsonNode aps = payload.get("aps");
        return aps.has("content-available") && !aps.has("alert") && !aps.has("badge") && !aps.has("sound");
    }
}
