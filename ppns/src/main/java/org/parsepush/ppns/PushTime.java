package org.parsepush.ppns;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The {@code time} of a push as devices see it: ISO-8601 in UTC with exactly three
 * fraction digits and {@code Z}, always 24 characters. Devices store the string and compare
 * it with others as a string, so any other width or zone would order pushes wrongly.
 */
public final class PushTime {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Instant FIRST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant END = Instant.parse("+10000-01-01T00:00:00Z");

    private PushTime() {
    }

    /** {@code time} truncated to milliseconds, e.g. {@code 2016-02-16T22:00:00.000Z}. */
    public static String format(Instant time) {
        if (time.isBefore(FIRST) || !time.isBefore(END)) {
            throw new IllegalArgumentException("a push time needs a four-digit year: " + time);
        }
        return FORMAT.format(time);
    }

    /**
     * Reads a time a device sent back (its {@code last}). Accepts any ISO-8601 instant, not
     * only the fixed width, because older servers may have sent other widths.
     *
     * @throws IllegalArgumentException if {@code text} is no ISO-8601 instant
     */
    public static Instant parse(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("not an ISO-8601 instant: " + text, e);
        }
    }
}
