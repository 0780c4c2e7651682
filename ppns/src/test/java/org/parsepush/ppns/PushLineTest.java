package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PushLineTest {

    private static final Instant TIME = Instant.parse("2016-02-16T22:00:00Z");

    @Test
    void isTheLineParseSent() {
        PushLine push = PushLine.of("{\"alert\": \"demo push 1\"}", "ZX1JVl5ael", TIME);

        assertEquals("{\"data\":{\"alert\":\"demo push 1\"},\"push_id\":\"ZX1JVl5ael\",\"time\":\"2016-02-16T22:00:00.000Z\"}",
                push.text());
    }

    @Test
    void writesTheTimeAtAFixedWidthInUtc() {
        assertEquals("2016-02-16T22:00:00.000Z", PushTime.format(TIME));
        assertEquals("2016-02-16T22:00:00.120Z", PushTime.format(Instant.parse("2016-02-16T22:00:00.12Z")));
        assertEquals("2016-02-16T22:00:00.123Z", PushTime.format(Instant.parse("2016-02-16T22:00:00.123999Z")));
        assertEquals("0999-01-01T00:00:00.000Z", PushTime.format(Instant.parse("0999-01-01T00:00:00Z")));
        assertThrows(IllegalArgumentException.class, () -> PushTime.format(Instant.parse("+10000-01-01T00:00:00Z")));
    }

    @Test
    void keepsTheTimeAsTheLineCarriesIt() {
        PushLine push = PushLine.of("{}", "id", Instant.parse("2016-02-16T22:00:00.123456Z"));

        assertEquals(Instant.parse("2016-02-16T22:00:00.123Z"), push.time());
        assertEquals(push.time(), PushTime.parse(push.text().substring(push.text().indexOf("\"time\":\"") + 8,
                push.text().length() - 2)));
    }

    @Test
    void countsUtf8BytesAndTheLineEnd() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("alert", "h\u00e9");
        PushLine push = PushLine.of(data, "id", TIME);

        assertEquals(push.text().length() + 1 + 1, push.byteLength(), "é is two bytes, and \\n one");
        assertTrue(push.fitsWithin(push.byteLength()));
        assertFalse(push.fitsWithin(push.byteLength() - 1));
    }

    @Test
    void refusesWhatDoesNotFitTheRtosBuffer() {
        PushLine small = PushLine.of("{\"alert\":\"hi\"}", "id", TIME);
        PushLine large = PushLine.of("{\"alert\":\"" + "x".repeat(PushLine.DEFAULT_MAX_BYTES) + "\"}", "id", TIME);

        assertTrue(small.fitsWithin(PushLine.DEFAULT_MAX_BYTES));
        assertFalse(large.fitsWithin(PushLine.DEFAULT_MAX_BYTES));
    }

    @Test
    void escapesLineBreaksInsideData() {
        PushLine push = PushLine.of("{\"alert\":\"two\\nlines\"}", "id", TIME);

        assertFalse(push.text().contains("\n"));
    }

    @Test
    void refusesDataThatIsNotAnObject() {
        assertThrows(IllegalArgumentException.class, () -> PushLine.of("[1]", "id", TIME));
        assertThrows(IllegalArgumentException.class, () -> PushLine.of("{", "id", TIME));
        assertThrows(IllegalArgumentException.class, () -> PushLine.of("{}", " ", TIME));
    }
}
