package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandshakeParserTest {

    @Test
    void readsTheLinuxSdksHandshake() throws Exception {
        Handshake handshake = HandshakeParser.parse("{\"installation_id\":\"842DDE71-308f-4f63-a66e-801f181f61ba\","
                + " \"oauth_key\":\"app\", \"v\":\"e1.0.0\", \"last\":null}");

        assertEquals(new Handshake("842dde71-308f-4f63-a66e-801f181f61ba", "app", "e1.0.0", null, List.of(), null,
                false), handshake);
    }

    @Test
    void readsAndroidsOptionalFieldsInAnyOrder() throws Exception {
        Handshake handshake = HandshakeParser.parse("{\"ack_keep_alive\":true,\"ignore_after\":\"2016-01-01T00:00:00.000Z\","
                + "\"last_seen\":[\"a\",\"b\"],\"last\":\"2016-02-16T22:00:00.000Z\",\"v\":\"a1.13.0\","
                + "\"oauth_key\":\"app\",\"installation_id\":\"id\",\"unknown\":{\"nested\":[]}}");

        assertEquals(new Handshake("id", "app", "a1.13.0", Instant.parse("2016-02-16T22:00:00Z"), List.of("a", "b"),
                Instant.parse("2016-01-01T00:00:00Z"), true), handshake);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "not json",
        "[]",
        "{\"installation_id\":\"id\",\"oauth_key\":\"app\"} trailing",
        "{\"oauth_key\":\"app\"}",
        "{\"installation_id\":\"id\"}",
        "{\"installation_id\":\" \",\"oauth_key\":\"app\"}",
        "{\"installation_id\":7,\"oauth_key\":\"app\"}",
        "{\"installation_id\":\"id\",\"oauth_key\":\"app\",\"installation_id\":\"other\"}",
        "{\"installation_id\":\"id\",\"oauth_key\":\"app\",\"last\":\"yesterday\"}",
        "{\"installation_id\":\"id\",\"oauth_key\":\"app\",\"last_seen\":\"a\"}",
        "{\"installation_id\":\"id\",\"oauth_key\":\"app\",\"last_seen\":[1]}",
        "{\"installation_id\":\"id\",\"oauth_key\":\"app\",\"ack_keep_alive\":\"yes\"}",
    })
    void refusesWhatIsNotAHandshake(String line) {
        assertThrows(MalformedHandshakeException.class, () -> HandshakeParser.parse(line));
    }
}
