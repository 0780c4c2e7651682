package org.parsepush.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.parsepush.gateway.audience.Audience;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.audience.Target;
import org.parsepush.gateway.push.ParseData;
import org.parsepush.gateway.push.Priority;
import org.parsepush.gateway.push.PushRequest;
import org.parsepush.proto.v1.ApnsPushType;
import org.parsepush.proto.v1.Device;
import org.parsepush.proto.v1.EstimateAudienceRequest;
import org.parsepush.proto.v1.PushData;
import org.parsepush.proto.v1.SendPushRequest;

/**
 * {@code push.v1} requests to domain requests. Shape errors become
 * {@link IllegalArgumentException}s naming the field, answered as INVALID_ARGUMENT.
 */
final class PushRequests {

    /** The most devices or installation ids one request may list. */
    static final int MAX_EXPLICIT_TARGETS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private PushRequests() {
    }

    static PushRequest fromProto(SendPushRequest request) {
        Instant pushTime = null;
        LocalDateTime localPushTime = null;
        if (request.hasPushTime()) {
            if (request.getPushTime().hasAt()) {
                pushTime = instant(request.getPushTime().getAt());
            } else if (request.getPushTime().hasLocal()) {
                localPushTime = localDateTime(request.getPushTime().getLocal());
            }
        }
        double perSecond = 0;
        if (request.hasThrottle()) {
            perSecond = request.getThrottle().hasDevicesPerSecond() ? request.getThrottle().getDevicesPerSecond()
                    : request.getThrottle().getDevicesPerMinute() / 60.0;
        }
        return new PushRequest(target(request), data(request), pushTime, localPushTime,
                request.hasExpirationTime() ? instant(request.getExpirationTime()) : null,
                request.hasExpirationInterval() ? duration(request.getExpirationInterval()) : null,
                priority(request.getPriority()), blankToNull(request.getCollapseId()),
                apnsPushType(request.getApnsPushType()), blankToNull(request.getIdempotencyKey()),
                request.getSource().isBlank() ? "rest" : request.getSource(), request.getFcmNotification(), perSecond);
    }

    static Target target(SendPushRequest request) {
        return target(request.hasTarget(), request.getTarget());
    }

    static Target target(EstimateAudienceRequest request) {
        return target(request.hasTarget(), request.getTarget());
    }

    private static Target target(boolean given, org.parsepush.proto.v1.Target target) {
        if (!given) {
            throw new IllegalArgumentException("target is required: channels, where_json, audience_id,"
                    + " installation_ids or devices");
        }
        switch (target.getSelectorCase()) {
            case CHANNELS -> {
                List<String> names = target.getChannels().getNamesList();
                requireSome("target.channels.names", names.size());
                return inQuery("channels", names);
            }
            case WHERE_JSON -> {
                return new Target.Where(Audience.parse(target.getWhereJson(), "target.where_json"));
            }
            case AUDIENCE_ID -> {
                if (target.getAudienceId().isBlank()) {
                    throw new IllegalArgumentException("target.audience_id must not be empty");
                }
                return new Target.SavedAudience(target.getAudienceId());
            }
            case INSTALLATION_IDS -> {
                List<String> ids = target.getInstallationIds().getIdsList();
                requireSome("target.installation_ids.ids", ids.size());
                return inQuery("objectId", ids);
            }
            case DEVICES -> {
                List<Device> devices = target.getDevices().getDevicesList();
                requireSome("target.devices.devices", devices.size());
                List<Installation> installations = new ArrayList<>(devices.size());
                for (int i = 0; i < devices.size(); i++) {
                    installations.add(installation(devices.get(i), "target.devices.devices[" + i + "]"));
                }
                return new Target.Devices(installations);
            }
            default -> throw new IllegalArgumentException("target is required: channels, where_json, audience_id,"
                    + " installation_ids or devices");
        }
    }

    static Installation installation(Device device, String path) {
        if (device.getDeviceType().isBlank()) {
            throw new IllegalArgumentException(path + ".device_type is required");
        }
        Installation installation = Installation.ofToken(device.getDeviceType(), device.getDeviceToken(),
                device.getPushType(), device.getAppIdentifier(), device.getGcmSenderId());
        return device.getInstallationId().isBlank() ? installation : new Installation(device.getInstallationId(),
                installation.deviceType(), installation.deviceToken(), installation.pushType(),
                installation.appIdentifier(), installation.gcmSenderId(), null, null, null);
    }

    private static Target inQuery(String field, List<String> values) {
        ObjectNode where = JSON.createObjectNode();
        ArrayNode in = where.putObject(field).putArray("$in");
        values.forEach(in::add);
        return new Target.Where(where);
    }

    private static void requireSome(String field, int count) {
        if (count == 0) {
            throw new IllegalArgumentException(field + " needs at least one entry");
        }
        if (count > MAX_EXPLICIT_TARGETS) {
            throw new IllegalArgumentException(field + " lists " + count + " entries; at most "
                    + MAX_EXPLICIT_TARGETS + " per request (use a query for larger audiences)");
        }
    }

    static ObjectNode data(SendPushRequest request) {
        return switch (request.getPayloadCase()) {
            case DATA_JSON -> ParseData.parse(request.getDataJson());
            case DATA -> fromTyped(request.getData());
            default -> throw new IllegalArgumentException("data or data_json is required");
        };
    }

    /** The typed payload as the Parse {@code data} object it stands for. */
    static ObjectNode fromTyped(PushData data) {
        ObjectNode out = JSON.createObjectNode();
        if (data.hasCustom()) {
            out.setAll((ObjectNode) json(Value.newBuilder().setStructValue(data.getCustom()).build()));
        }
        switch (data.getAlertCase()) {
            case ALERT_TEXT -> out.put(ParseData.ALERT, data.getAlertText());
            case ALERT_OBJECT -> out.set(ParseData.ALERT,
                    json(Value.newBuilder().setStructValue(data.getAlertObject()).build()));
            default -> { }
        }
        switch (data.getBadgeCase()) {
            case BADGE_VALUE -> out.put(ParseData.BADGE, data.getBadgeValue());
            case BADGE_INCREMENT -> {
                if (data.getBadgeIncrement()) {
                    out.put(ParseData.BADGE, "Increment");
                }
            }
            default -> { }
        }
        putIfSet(out, ParseData.SOUND, data.getSound());
        putIfSet(out, ParseData.CATEGORY, data.getCategory());
        putIfSet(out, ParseData.TITLE, data.getTitle());
        putIfSet(out, ParseData.URI, data.getUri());
        putIfSet(out, ParseData.THREAD_ID, data.getThreadId());
        if (data.getContentAvailable()) {
            out.put(ParseData.CONTENT_AVAILABLE, 1);
        }
        if (data.getMutableContent()) {
            out.put(ParseData.MUTABLE_CONTENT, 1);
        }
        return out;
    }

    private static void putIfSet(ObjectNode out, String key, String value) {
        if (!value.isEmpty()) {
            out.put(key, value);
        }
    }

    /** A protobuf Value as JSON; whole numbers stay whole (badge 1, not 1.0). */
    private static JsonNode json(Value value) {
        switch (value.getKindCase()) {
            case STRUCT_VALUE -> {
                ObjectNode object = JSON.createObjectNode();
                Struct struct = value.getStructValue();
                struct.getFieldsMap().forEach((key, field) -> object.set(key, json(field)));
                return object;
            }
            case LIST_VALUE -> {
                ArrayNode array = JSON.createArrayNode();
                ListValue list = value.getListValue();
                list.getValuesList().forEach(element -> array.add(json(element)));
                return array;
            }
            case NUMBER_VALUE -> {
                double number = value.getNumberValue();
                return number == Math.rint(number) && Math.abs(number) < 1e15
                        ? JSON.getNodeFactory().numberNode((long) number) : JSON.getNodeFactory().numberNode(number);
            }
            case STRING_VALUE -> {
                return JSON.getNodeFactory().textNode(value.getStringValue());
            }
            case BOOL_VALUE -> {
                return JSON.getNodeFactory().booleanNode(value.getBoolValue());
            }
            default -> {
                return JSON.getNodeFactory().nullNode();
            }
        }
    }

    private static Priority priority(org.parsepush.proto.v1.Priority priority) {
        return switch (priority) {
            case PRIORITY_HIGH -> Priority.HIGH;
            case PRIORITY_NORMAL -> Priority.NORMAL;
            default -> Priority.DEFAULT;
        };
    }

    /** The {@code apns-push-type} header value for the enum, e.g. {@code liveactivity}. */
    static String apnsPushType(ApnsPushType type) {
        if (type == ApnsPushType.APNS_PUSH_TYPE_UNSPECIFIED || type == ApnsPushType.UNRECOGNIZED) {
            return null;
        }
        return type.name().substring("APNS_PUSH_TYPE_".length()).toLowerCase(Locale.ROOT);
    }

    static Instant instant(com.google.protobuf.Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    private static Duration duration(com.google.protobuf.Duration duration) {
        Duration value = Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("expiration_interval must be positive");
        }
        return value;
    }

    private static LocalDateTime localDateTime(String value) {
        try {
            return LocalDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("push_time.local must be a date-time without zone,"
                    + " like 2026-12-24T09:00:00; got '" + value + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
