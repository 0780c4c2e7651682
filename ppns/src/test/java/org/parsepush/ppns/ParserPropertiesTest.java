package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Arbitrary input to the handshake parser, {@link PushTime} and {@link PushLine}: each gives
 * its result or its documented error ({@link MalformedHandshakeException},
 * {@link IllegalArgumentException}) and nothing else. The hang guard is generous: it catches
 * a parser that never returns, not a slow one.
 */
class ParserPropertiesTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final List<String> KEYS = List.of("installation_id", "oauth_key", "v", "last", "last_seen",
            "ignore_after", "ack_keep_alive", "data", "push_id", "time", "", "\u0000", "installation_id ");

    @Property(tries = 3000)
    void anyTextIsAHandshakeOrMalformed(@ForAll String line) {
        parsedOrMalformed(line);
    }

    /** What the pipeline hands over: any bytes, decoded as UTF-8 with replacement characters. */
    @Property(tries = 3000)
    void anyBytesAreAHandshakeOrMalformed(@ForAll @Size(max = 3000) byte[] bytes) {
        parsedOrMalformed(new String(bytes, StandardCharsets.UTF_8));
    }

    @Property(tries = 3000)
    void anyObjectWithHandshakeKeysIsAHandshakeOrMalformed(@ForAll("handshakeLike") String line) {
        parsedOrMalformed(line);
    }

    @Property(tries = 1000)
    void aWellFormedHandshakeAlwaysParsesAndKeepsWhatTheDeviceSaid(@ForAll("ids") String installationId,
                                                                  @ForAll("ids") String applicationId,
                                                                  @ForAll("instants") Instant last) throws Exception {
        String line = "{\"installation_id\":" + PpnsJson.MAPPER.writeValueAsString(installationId)
                + ", \"oauth_key\":" + PpnsJson.MAPPER.writeValueAsString(applicationId)
                + ", \"v\":\"e1.0.0\", \"last\":\"" + PushTime.format(last) + "\"}";

        Handshake handshake = HandshakeParser.parse(line);

        assertEquals(installationId.toLowerCase(Locale.ROOT), handshake.installationId());
        assertEquals(applicationId, handshake.applicationId());
        assertEquals(last.truncatedTo(ChronoUnit.MILLIS), handshake.last());
    }

    @Property(tries = 3000)
    void anyTextIsAPushTimeOrIllegalArgument(@ForAll("timeLike") String text) {
        guarded(() -> {
            try {
                return PushTime.parse(text);
            } catch (IllegalArgumentException documented) {
                return null;
            }
        });
    }

    /** Devices compare times as strings: the text must order exactly as the instants do. */
    @Property(tries = 2000)
    void pushTimesHaveOneWidthAndSortAsTheirInstants(@ForAll("instants") Instant a, @ForAll("instants") Instant b) {
        String textA = PushTime.format(a);
        String textB = PushTime.format(b);

        assertEquals(24, textA.length(), textA);
        assertEquals(a.truncatedTo(ChronoUnit.MILLIS), PushTime.parse(textA));
        assertEquals(Integer.signum(a.truncatedTo(ChronoUnit.MILLIS).compareTo(b.truncatedTo(ChronoUnit.MILLIS))),
                Integer.signum(textA.compareTo(textB)));
    }

    @Property(tries = 1000)
    void instantsWithoutAFourDigitYearAreRefused(@ForAll("farInstants") Instant time) {
        try {
            assertEquals(24, PushTime.format(time).length());
        } catch (IllegalArgumentException documented) {
            // Outside years 0000-9999.
        }
    }

    /** Any data text gives a push line that reaches a device as one line of JSON, or is refused. */
    @Property(tries = 3000)
    void anyDataIsOneLineOfJsonOrIllegalArgument(@ForAll("dataLike") String dataJson, @ForAll("ids") String pushId,
                                                 @ForAll("instants") Instant time) {
        PushLine line = guarded(() -> {
            try {
                return PushLine.of(dataJson, pushId, time);
            } catch (IllegalArgumentException documented) {
                return null;
            }
        });
        if (line != null) {
            assertFalse(line.text().contains("\n") || line.text().contains("\r"), line.text());
            assertEquals(line.text().getBytes(StandardCharsets.UTF_8).length + 1, line.byteLength());
            JsonNode parsed = guarded(() -> PpnsJson.MAPPER.readTree(line.text()));
            assertTrue(parsed.get("data").isObject());
            assertEquals(pushId, parsed.get("push_id").textValue());
            assertEquals(PushTime.format(time), parsed.get("time").textValue());
        }
    }

    private static void parsedOrMalformed(String line) {
        Handshake handshake = guarded(() -> {
            try {
                return HandshakeParser.parse(line);
            } catch (MalformedHandshakeException documented) {
                return null;
            }
        });
        if (handshake != null) {
            assertFalse(handshake.installationId().isBlank());
            assertFalse(handshake.applicationId().isBlank());
            assertEquals(handshake.installationId().toLowerCase(Locale.ROOT), handshake.installationId());
        }
    }

    private static <T> T guarded(ThrowingSupplier<T> call) {
        return assertTimeoutPreemptively(HANG_GUARD, call);
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(40).filter(id -> !id.isBlank());
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(Instant.parse("0000-01-01T00:00:00Z").toEpochMilli(),
                Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli()).map(Instant::ofEpochMilli)
                .flatMap(time -> Arbitraries.integers().between(0, 999_999).map(time::plusNanos));
    }

    @Provide
    Arbitrary<Instant> farInstants() {
        return Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())
                .map(Instant::ofEpochSecond);
    }

    /** ISO-looking text with one part broken now and then, and plain junk. */
    @Provide
    Arbitrary<String> timeLike() {
        Arbitrary<String> nearlyIso = Combinators.combine(instants(), Arbitraries.integers().between(0, 23),
                Arbitraries.chars().all()).as((time, at, junk) -> {
                    StringBuilder text = new StringBuilder(time.toString());
                    text.setCharAt(Math.min(at, text.length() - 1), junk);
                    return text.toString();
                });
        return Arbitraries.oneOf(nearlyIso, Arbitraries.strings().ofMaxLength(40), instants().map(Instant::toString));
    }

    /** JSON objects with the protocol's keys and values of every type, sometimes cut short. */
    @Provide
    Arbitrary<String> handshakeLike() {
        Arbitrary<String> value = json(2);
        Arbitrary<String> member = Combinators.combine(Arbitraries.of(KEYS), value)
                .as((key, json) -> quote(key) + ":" + json);
        Arbitrary<String> object = member.list().ofMaxSize(8).map(members -> "{" + String.join(", ", members) + "}");
        return Arbitraries.oneOf(object, object.flatMap(text -> Arbitraries.integers().between(0, text.length())
                .map(cut -> text.substring(0, cut))));
    }

    @Provide
    Arbitrary<String> dataLike() {
        return Arbitraries.oneOf(json(3), Arbitraries.strings().ofMaxLength(60));
    }

    private Arbitrary<String> json(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20).map(ParserPropertiesTest::quote),
                instants().map(time -> quote(PushTime.format(time))),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.of("true", "false", "null", "[]", "{}", "\"\"", "-", "1e999999", "\"\\ud800\""));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<String> array = json(depth - 1).list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]");
        Arbitrary<String> object = Combinators.combine(Arbitraries.of(KEYS), json(depth - 1)).as((k, v) -> quote(k) + ":" + v)
                .list().ofMaxSize(4).map(members -> "{" + String.join(",", members) + "}");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, leaf), net.jqwik.api.Tuple.of(1, array), net.jqwik.api.Tuple.of(1, object));
    }

    private static String quote(String text) {
        try {
            return PpnsJson.MAPPER.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
