package org.parsepush.ppns;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One push as a device receives it: {@code {"data":{...},"push_id":"...","time":"..."}}.
 *
 * <p>Devices have small fixed buffers (1024 bytes on RTOS, 2048 on Linux) and drop or cut
 * what does not fit, so the caller checks {@link #fitsWithin} and reports an over-long push
 * as failed for that device instead of sending it.
 */
public final class PushLine {

    /** The RTOS SDK's buffer: the smallest that devices in the field have (Arduino aside). */
    public static final int DEFAULT_MAX_BYTES = 1024;

    private final String pushId;
    private final Instant time;
    private final String text;
    private final int byteLength;

    private PushLine(String pushId, Instant time, String text) {
        this.pushId = pushId;
        this.time = time.truncatedTo(ChronoUnit.MILLIS);
        this.text = text;
        this.byteLength = text.getBytes(StandardCharsets.UTF_8).length + 1;
    }

    /**
     * The line for {@code data} (the Parse push {@code data} object), {@code pushId} and
     * {@code time}.
     */
    public static PushLine of(ObjectNode data, String pushId, Instant time) {
        Objects.requireNonNull(data, "data");
        if (pushId == null || pushId.isBlank()) {
            throw new IllegalArgumentException("a push needs a push id");
        }
        ObjectNode line = PpnsJson.MAPPER.createObjectNode();
        line.set("data", data);
        line.put("push_id", pushId);
        line.put("time", PushTime.format(time));
        return new PushLine(pushId, time, line.toString());
    }

    /**
     * The line for {@code dataJson}, the push's {@code data} as JSON text.
     *
     * @throws IllegalArgumentException if {@code dataJson} is not one JSON object
     */
    public static PushLine of(String dataJson, String pushId, Instant time) {
        JsonNode data;
        try {
            data = PpnsJson.MAPPER.readTree(dataJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("push data is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!(data instanceof ObjectNode object)) {
            throw new IllegalArgumentException("push data must be a JSON object");
        }
        return of(object, pushId, time);
    }

    /** The push id, for reports. */
    public String pushId() {
        return pushId;
    }

    /** The push's time, exactly as the line carries it (milliseconds). */
    public Instant time() {
        return time;
    }

    /** The compact JSON, without the line end {@link PpnsConnection#send} adds. */
    public String text() {
        return text;
    }

    /** Bytes on the wire: the UTF-8 text and its {@code \n}, which a device's buffer holds too. */
    public int byteLength() {
        return byteLength;
    }

    /** Whether a device whose buffer holds {@code maxBytes} receives this line whole. */
    public boolean fitsWithin(int maxBytes) {
        return byteLength <= maxBytes;
    }

    @Override
    public String toString() {
        return text;
    }
}
